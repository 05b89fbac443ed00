#include "ByteRateTicker.h"

#include "ByteRate.h"

#include <array>
#include <cmath>

namespace ui {

double ByteRateTicker::getTickStep(const QCPRange& range)
{
    const double unit = ByteRate::unitFor(range.upper);
    const double ideal = range.size() / std::max(1, tickCount()) / unit;
    if (!(ideal > 0.0) || !std::isfinite(ideal)) {
        return unit;
    }
    // The step in units is 1, 2 or 5 times a power of ten, the nearest above the ideal.
    const double decade = std::pow(10.0, std::floor(std::log10(ideal)));
    for (const double factor : std::array {1.0, 2.0, 5.0, 10.0}) {
        if (factor * decade >= ideal) {
            return factor * decade * unit;
        }
    }
    return 10.0 * decade * unit;
}

QString ByteRateTicker::getTickLabel(
    double tick, const QLocale& /*locale*/, QChar /*formatChar*/, int /*precision*/)
{
    return ByteRate::format(tick);
}

} // namespace ui
