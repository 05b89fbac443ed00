#pragma once

#include <functional>
#include <optional>
#include <vector>

#include <QList>
#include <qcustomplot.h>

namespace ui {

/// One QCustomPlot chart of the session graphs: a title, series over wall-clock time, a legend
/// with each series' current value, a tooltip with the values under the mouse, at most
/// `maximumPoints` points per series, colours that follow the widget palette.
class TimeSeriesPlot : public QCustomPlot {
    Q_OBJECT

public:
    /// How a series is drawn.
    struct Style {
        /// Line colour (the fill is a translucent version).
        QColor color;
        /// Dashed for reference lines (allocated memory).
        Qt::PenStyle penStyle = Qt::SolidLine;
        /// Whether the area under the line is filled.
        bool filled = false;
    };

    /// An empty chart titled `title`, keeping at most `maximumPoints` points per series.
    TimeSeriesPlot(const QString& title, int maximumPoints, QWidget* parent = nullptr);

    /// Adds a series; returns its index.
    int addSeries(const QString& name, const Style& style);
    /// Appends a point at `key` (seconds since the epoch); a missing value becomes a gap (NaN).
    void append(int series, double key, std::optional<double> value);
    /// Shows the last `seconds` up to `latestKey`, and fits the value axis to the data.
    void showWindow(double latestKey, double seconds);
    /// The smallest top the value axis shows (100 for percent, so idle looks idle).
    void setMinimumTop(double top) { m_minimumTop = top; }
    /// Formats a value for the legend and tooltip ("42 %", "1.5 MiB/s").
    void setValueFormatter(std::function<QString(double)> formatter);
    /// Values of a series, oldest first, NaN for gaps.
    QList<double> values(int series) const;
    /// Keys of a series (seconds since the epoch), oldest first.
    QList<double> keys(int series) const;
    /// Forgets every point.
    void clearPoints();

protected:
    void changeEvent(QEvent* event) override;

private:
    void applyPalette();
    void updateLegend(int series, std::optional<double> value);
    void showToolTip(QMouseEvent* event);
    QString formatValue(double value) const;

    QCPTextElement* m_title = nullptr;
    std::vector<QString> m_names;
    std::function<QString(double)> m_formatter;
    int m_maximumPoints;
    double m_minimumTop = 1.0;
};

} // namespace ui
