#include "ByteRate.h"

#include <array>
#include <cmath>

#include <QCoreApplication>

namespace ui::ByteRate {

namespace {

constexpr double step = 1024.0;
constexpr int unitCount = 5;

int exponentFor(double bytesPerSecond)
{
    int exponent = 0;
    double magnitude = std::abs(bytesPerSecond);
    while (magnitude >= step && exponent < unitCount - 1) {
        magnitude /= step;
        ++exponent;
    }
    return exponent;
}

} // namespace

double unitFor(double bytesPerSecond)
{
    return std::pow(step, exponentFor(bytesPerSecond));
}

QString format(double bytesPerSecond)
{
    if (!std::isfinite(bytesPerSecond)) {
        return QStringLiteral("–");
    }
    const std::array<QString, unitCount> units = {
        QCoreApplication::translate("ui::ByteRate", "B/s"),
        QCoreApplication::translate("ui::ByteRate", "KiB/s"),
        QCoreApplication::translate("ui::ByteRate", "MiB/s"),
        QCoreApplication::translate("ui::ByteRate", "GiB/s"),
        QCoreApplication::translate("ui::ByteRate", "TiB/s"),
    };
    const int exponent = exponentFor(bytesPerSecond);
    const double scaled = bytesPerSecond / std::pow(step, exponent);
    // Whole bytes; one decimal below 10 of a larger unit ("1.5 MiB/s"), none above ("20 MiB/s").
    const int decimals =
        exponent == 0 || std::abs(scaled) >= 10.0 || scaled == std::floor(scaled) ? 0 : 1;
    return QStringLiteral("%1 %2").arg(
        QString::number(scaled, 'f', decimals), units[static_cast<std::size_t>(exponent)]);
}

} // namespace ui::ByteRate
