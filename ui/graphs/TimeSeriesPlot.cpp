#include "TimeSeriesPlot.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QToolTip>

namespace ui {

namespace {

// Wall-clock ticks on whole minutes (QCustomPlot's own choice for ten minutes is 2.5 minutes,
// which labels 22:12:30 as "22:12").
class MinuteTicker : public QCPAxisTickerDateTime {
protected:
    double getTickStep(const QCPRange& range) override
    {
        for (const double step : {60.0, 120.0, 300.0, 600.0, 900.0, 1800.0}) {
            if (range.size() / step <= 6.0) {
                return step;
            }
        }
        return QCPAxisTickerDateTime::getTickStep(range);
    }
};

QColor translucent(QColor color, int alpha)
{
    color.setAlpha(alpha);
    return color;
}

} // namespace

TimeSeriesPlot::TimeSeriesPlot(const QString& title, int maximumPoints, QWidget* parent)
    : QCustomPlot(parent)
    , m_formatter([](double value) { return QString::number(value, 'f', 1); })
    , m_maximumPoints(maximumPoints)
{
    setNoAntialiasingOnDrag(true);
    setMinimumHeight(140);

    plotLayout()->insertRow(0);
    m_title = new QCPTextElement(
        this, title, QFont(font().family(), font().pointSize(), QFont::DemiBold));
    plotLayout()->addElement(0, 0, m_title);

    QSharedPointer<QCPAxisTickerDateTime> timeTicker(new MinuteTicker);
    timeTicker->setDateTimeFormat(QStringLiteral("HH:mm"));
    xAxis->setTicker(timeTicker);
    yAxis->ticker()->setTickCount(4);
    yAxis->setRange(0, 1);

    legend->setVisible(true);
    legend->setIconSize(14, 8);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);

    connect(this, &QCustomPlot::mouseMove, this, &TimeSeriesPlot::showToolTip);
    applyPalette();
}

int TimeSeriesPlot::addSeries(const QString& name, const Style& style)
{
    QCPGraph* graph = addGraph();
    QPen pen(style.color, 2.0, style.penStyle);
    graph->setPen(pen);
    if (style.filled) {
        graph->setBrush(translucent(style.color, 50));
    }
    graph->setName(name);
    m_names.push_back(name);
    const int index = graphCount() - 1;
    updateLegend(index, std::nullopt);
    return index;
}

void TimeSeriesPlot::append(int series, double key, std::optional<double> value)
{
    QCPGraph* target = graph(series);
    if (target == nullptr) {
        return;
    }
    target->addData(key, value.value_or(std::numeric_limits<double>::quiet_NaN()));
    const QSharedPointer<QCPGraphDataContainer> points = target->data();
    if (points->size() > m_maximumPoints) {
        points->removeBefore((points->constBegin() + (points->size() - m_maximumPoints))->key);
    }
    updateLegend(series, value);
}

void TimeSeriesPlot::showWindow(double latestKey, double seconds)
{
    xAxis->setRange(latestKey - seconds, latestKey);
    double top = m_minimumTop;
    for (int index = 0; index < graphCount(); ++index) {
        for (const QCPGraphData& point : *graph(index)->data()) {
            if (std::isfinite(point.value)) {
                top = std::max(top, point.value * 1.15);
            }
        }
    }
    yAxis->setRange(0, top);
}

void TimeSeriesPlot::setValueFormatter(std::function<QString(double)> formatter)
{
    m_formatter = std::move(formatter);
}

QList<double> TimeSeriesPlot::values(int series) const
{
    QList<double> result;
    if (QCPGraph* target = graph(series)) {
        for (const QCPGraphData& point : *target->data()) {
            result.append(point.value);
        }
    }
    return result;
}

QList<double> TimeSeriesPlot::keys(int series) const
{
    QList<double> result;
    if (QCPGraph* target = graph(series)) {
        for (const QCPGraphData& point : *target->data()) {
            result.append(point.key);
        }
    }
    return result;
}

void TimeSeriesPlot::clearPoints()
{
    for (int index = 0; index < graphCount(); ++index) {
        graph(index)->data()->clear();
        updateLegend(index, std::nullopt);
    }
}

QString TimeSeriesPlot::formatValue(double value) const
{
    return std::isfinite(value) ? m_formatter(value) : QStringLiteral("–");
}

void TimeSeriesPlot::updateLegend(int series, std::optional<double> value)
{
    if (QCPGraph* target = graph(series)) {
        const QString& name = m_names.at(static_cast<std::size_t>(series));
        target->setName(
            value ? tr("%1: %2").arg(name, formatValue(*value)) : tr("%1: –").arg(name));
    }
}

void TimeSeriesPlot::showToolTip(QMouseEvent* event)
{
    const double key = xAxis->pixelToCoord(event->position().x());
    QStringList lines;
    for (int index = 0; index < graphCount(); ++index) {
        const QSharedPointer<QCPGraphDataContainer> points = graph(index)->data();
        if (points->isEmpty()) {
            continue;
        }
        auto nearest = points->findBegin(key, false);
        if (nearest == points->constEnd()) {
            nearest = points->constEnd() - 1;
        }
        if (lines.isEmpty()) {
            lines.append(QCPAxisTickerDateTime::keyToDateTime(nearest->key)
                             .toString(QStringLiteral("HH:mm:ss")));
        }
        lines.append(QStringLiteral("%1: %2").arg(
            m_names.at(static_cast<std::size_t>(index)), formatValue(nearest->value)));
    }
    if (lines.isEmpty() || !axisRect()->rect().contains(event->position().toPoint())) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(event->globalPosition().toPoint(), lines.join(QLatin1Char('\n')), this);
}

void TimeSeriesPlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) {
        applyPalette();
        replot(rpQueuedReplot);
    }
    QCustomPlot::changeEvent(event);
}

void TimeSeriesPlot::applyPalette()
{
    // Text, axes and grid from the palette, so the charts read in light and dark themes alike.
    const QPalette colors = palette();
    const QColor text = colors.color(QPalette::WindowText);
    const QColor grid = translucent(text, 40);
    setBackground(colors.color(QPalette::Base));
    axisRect()->setBackground(colors.color(QPalette::Base));
    m_title->setTextColor(text);
    for (QCPAxis* axis : {xAxis, yAxis}) {
        axis->setBasePen(QPen(text));
        axis->setTickPen(QPen(text));
        axis->setSubTickPen(QPen(text));
        axis->setTickLabelColor(text);
        axis->setLabelColor(text);
        axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
    }
    legend->setBrush(translucent(colors.color(QPalette::Base), 210));
    legend->setBorderPen(QPen(translucent(text, 80)));
    legend->setTextColor(text);
}

} // namespace ui
