#pragma once

#include <QSpinBox>

namespace ui {

/// A size in MiB shown the way people think of it: "2 GiB", "2.25 GiB", "512 MiB". Typing accepts
/// "3G", "3 GiB", "1536 MiB", "1536M" or a plain number of MiB.
class MemorySpinBox : public QSpinBox {
    Q_OBJECT

public:
    /// A box for MiB values; set its range and step as for any QSpinBox.
    explicit MemorySpinBox(QWidget* parent = nullptr);

    /// The text for `mebibytes`.
    static QString formatted(int mebibytes);

protected:
    QString textFromValue(int value) const override;
    int valueFromText(const QString& text) const override;
    QValidator::State validate(QString& text, int& position) const override;

private:
    /// MiB for `text`, or -1 when it is not a size.
    static long long parsed(const QString& text);
};

} // namespace ui
