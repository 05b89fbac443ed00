#include "MemorySpinBox.h"

#include <cmath>

#include <QLocale>
#include <QRegularExpression>

namespace ui {

MemorySpinBox::MemorySpinBox(QWidget* parent)
    : QSpinBox(parent)
{
    setAccelerated(true);
    setCorrectionMode(QAbstractSpinBox::CorrectToNearestValue);
}

QString MemorySpinBox::formatted(int mebibytes)
{
    if (mebibytes >= 1024) {
        // Two decimals at most, and none when they are zero: 2 GiB, 2.25 GiB, 2.5 GiB.
        double gibibytes = std::round(mebibytes / 1024.0 * 100.0) / 100.0;
        return tr("%1 GiB").arg(QLocale().toString(gibibytes, 'g', 10));
    }
    return tr("%1 MiB").arg(QLocale().toString(mebibytes));
}

QString MemorySpinBox::textFromValue(int value) const
{
    return formatted(value);
}

int MemorySpinBox::valueFromText(const QString& text) const
{
    long long value = parsed(text);
    return value < 0 ? this->value() : static_cast<int>(value);
}

QValidator::State MemorySpinBox::validate(QString& text, int& position) const
{
    Q_UNUSED(position);
    long long value = parsed(text);
    if (value >= minimum() && value <= maximum())
        return QValidator::Acceptable;
    static const QRegularExpression partial(QStringLiteral("^\\s*[0-9.,]*\\s*[a-zA-Z]{0,3}\\s*$"));
    return partial.match(text).hasMatch() ? QValidator::Intermediate : QValidator::Invalid;
}

long long MemorySpinBox::parsed(const QString& text)
{
    static const QRegularExpression pattern(
        QStringLiteral("^\\s*([0-9]+(?:[.,][0-9]+)?)\\s*(m|mb|mib|g|gb|gib)?\\s*$"),
        QRegularExpression::CaseInsensitiveOption);
    QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return -1;
    QString number = match.captured(1);
    number.replace(u',', u'.');
    bool ok = false;
    double amount = number.toDouble(&ok);
    if (!ok)
        return -1;
    bool gibibytes = match.captured(2).startsWith(u'g', Qt::CaseInsensitive);
    double mebibytes = gibibytes ? amount * 1024.0 : amount;
    if (mebibytes > 1e12)
        return -1;
    return std::llround(mebibytes);
}

} // namespace ui
