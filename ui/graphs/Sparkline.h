#pragma once

#include <QColor>
#include <QList>
#include <QWidget>

class QPainter;

namespace ui {

/// A tiny filled line chart of the last 60 values, the newest marked with a dot (the session
/// list's CPU column); NaN makes a gap.
class Sparkline : public QWidget {
    Q_OBJECT

public:
    /// Values kept.
    static constexpr int maximumValues = 60;

    /// An empty sparkline over 0..100 (percent).
    explicit Sparkline(QWidget* parent = nullptr);

    /// Appends a value, dropping the oldest beyond maximumValues.
    void addValue(double value);
    /// Replaces the values (only the last maximumValues are kept).
    void setValues(const QList<double>& values);
    /// The values, oldest first.
    QList<double> values() const { return m_values; }
    /// The value range drawn bottom to top; values outside are clamped.
    void setRange(double minimum, double maximum);
    /// Line colour (the fill is a translucent version).
    void setColor(const QColor& color);

    /// Paints values into `area`, newest at the right edge; for item delegates without a widget.
    static void paint(QPainter& painter, const QRectF& area, const QList<double>& values,
        double minimum, double maximum, const QColor& color);

    /// Two pixels per value, one text line high.
    QSize sizeHint() const override;
    /// Small enough for a table cell.
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QList<double> m_values;
    QColor m_color;
    double m_minimum = 0.0;
    double m_maximum = 100.0;
};

} // namespace ui
