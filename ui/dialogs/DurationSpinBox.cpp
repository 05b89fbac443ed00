#include "DurationSpinBox.h"

#include <QRegularExpression>

namespace ui {

DurationSpinBox::DurationSpinBox(QWidget* parent)
    : QSpinBox(parent)
{
    setAccelerated(true);
    setCorrectionMode(QAbstractSpinBox::CorrectToNearestValue);
}

QString DurationSpinBox::formatted(int minutes)
{
    int hours = minutes / 60;
    int rest = minutes % 60;
    if (hours == 0)
        return tr("%1 min").arg(rest);
    if (rest == 0)
        return tr("%1 h").arg(hours);
    return tr("%1 h %2 min").arg(hours).arg(rest);
}

QString DurationSpinBox::textFromValue(int value) const
{
    return formatted(value);
}

int DurationSpinBox::valueFromText(const QString& text) const
{
    long long value = parsed(text);
    return value < 0 ? this->value() : static_cast<int>(value);
}

QValidator::State DurationSpinBox::validate(QString& text, int& position) const
{
    Q_UNUSED(position);
    long long value = parsed(text);
    if (value >= minimum() && value <= maximum())
        return QValidator::Acceptable;
    static const QRegularExpression partial(QStringLiteral("^[0-9hminHMIN ]*$"));
    return partial.match(text).hasMatch() ? QValidator::Intermediate : QValidator::Invalid;
}

long long DurationSpinBox::parsed(const QString& text)
{
    // "8 h", "1 h 30 min", "1h30", "90m", "45 min"; a bare number is hours, as the box shows.
    static const QRegularExpression pattern(
        QStringLiteral("^\\s*(?:([0-9]{1,4})\\s*h\\s*)?(?:([0-9]{1,5})\\s*(?:m|min)?)?\\s*$"),
        QRegularExpression::CaseInsensitiveOption);
    QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch() || text.trimmed().isEmpty())
        return -1;
    bool hasHours = match.capturedLength(1) > 0;
    bool hasMinutes = match.capturedLength(2) > 0;
    long long hours = hasHours ? match.captured(1).toLongLong() : 0;
    long long minutes = hasMinutes ? match.captured(2).toLongLong() : 0;
    bool bareNumber = !hasHours && hasMinutes && !text.contains(u'm', Qt::CaseInsensitive);
    if (bareNumber)
        return minutes * 60;
    return hours * 60 + minutes;
}

} // namespace ui
