#pragma once

#include <QSpinBox>

namespace ui {

/// A duration in minutes shown as "8 h", "1 h 30 min" or "45 min". Typing accepts the same, "90m",
/// "1h30", or a plain number of hours.
class DurationSpinBox : public QSpinBox {
    Q_OBJECT

public:
    /// A box for minute values; set its range and step as for any QSpinBox.
    explicit DurationSpinBox(QWidget* parent = nullptr);

    /// The text for `minutes`.
    static QString formatted(int minutes);

protected:
    QString textFromValue(int value) const override;
    int valueFromText(const QString& text) const override;
    QValidator::State validate(QString& text, int& position) const override;

private:
    /// Minutes for `text`, or -1 when it is not a duration.
    static long long parsed(const QString& text);
};

} // namespace ui
