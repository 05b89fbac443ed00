#include "SessionGraphs.h"

#include "ByteRate.h"
#include "ByteRateTicker.h"
#include "TimeSeriesPlot.h"

#include <algorithm>

#include <QGridLayout>

namespace ui {

namespace {

// Every curve has its own index in its chart, in the order the charts add them.
int indexInChart(SessionGraphs::Series series)
{
    switch (series) {
    case SessionGraphs::Series::MemoryTotalMiB:
    case SessionGraphs::Series::ScratchWriteBytesPerSecond:
        return 1;
    default:
        return 0;
    }
}

SessionGraphs::Chart chartOf(SessionGraphs::Series series)
{
    switch (series) {
    case SessionGraphs::Series::CpuPercent:
        return SessionGraphs::Chart::Cpu;
    case SessionGraphs::Series::MemoryUsedMiB:
    case SessionGraphs::Series::MemoryTotalMiB:
        return SessionGraphs::Chart::Memory;
    case SessionGraphs::Series::DatasetReadBytesPerSecond:
    case SessionGraphs::Series::ScratchWriteBytesPerSecond:
        return SessionGraphs::Chart::Io;
    case SessionGraphs::Series::Load1:
        return SessionGraphs::Chart::Load;
    }
    return SessionGraphs::Chart::Cpu;
}

} // namespace

QColor SessionGraphs::colorOf(Series series)
{
    // Mid-lightness colours: readable on a white and on a near-black background.
    switch (series) {
    case Series::CpuPercent:
        return QColor(0x1d, 0x99, 0xf3); // blue
    case Series::MemoryUsedMiB:
        return QColor(0x9b, 0x59, 0xb6); // purple
    case Series::MemoryTotalMiB:
        return QColor(0x7f, 0x8c, 0x8d); // grey, dashed
    case Series::DatasetReadBytesPerSecond:
        return QColor(0x27, 0xae, 0x60); // green
    case Series::ScratchWriteBytesPerSecond:
        return QColor(0xf6, 0x74, 0x00); // orange
    case Series::Load1:
        return QColor(0xda, 0x44, 0x53); // red
    }
    return Qt::gray;
}

SessionGraphs::SessionGraphs(QWidget* parent)
    : QWidget(parent)
{
    const auto megabytes = [](double value) {
        return tr("%1 MiB").arg(QString::number(value, 'f', 0));
    };

    m_cpu = new TimeSeriesPlot(tr("vCPU usage"), maximumPoints, this);
    m_cpu->addSeries(tr("vCPU"), {colorOf(Series::CpuPercent), Qt::SolidLine, true});
    m_cpu->setMinimumTop(100.0);
    m_cpu->setValueFormatter(
        [](double value) { return tr("%1 %").arg(QString::number(value, 'f', 0)); });
    m_cpu->yAxis->setLabel(tr("%"));

    m_memory = new TimeSeriesPlot(tr("Guest memory"), maximumPoints, this);
    m_memory->addSeries(tr("Used"), {colorOf(Series::MemoryUsedMiB), Qt::SolidLine, true});
    m_memory->addSeries(tr("Allocated"), {colorOf(Series::MemoryTotalMiB), Qt::DashLine, false});
    m_memory->setValueFormatter(megabytes);
    m_memory->yAxis->setLabel(tr("MiB"));

    m_io = new TimeSeriesPlot(tr("Disk I/O"), maximumPoints, this);
    m_io->addSeries(
        tr("Dataset reads"), {colorOf(Series::DatasetReadBytesPerSecond), Qt::SolidLine, false});
    m_io->addSeries(
        tr("Scratch writes"), {colorOf(Series::ScratchWriteBytesPerSecond), Qt::SolidLine, false});
    m_io->setMinimumTop(1024.0);
    m_io->setValueFormatter(&ByteRate::format);
    m_io->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new ByteRateTicker));

    m_load = new TimeSeriesPlot(tr("Agent load"), maximumPoints, this);
    m_load->addSeries(tr("Load (1 min)"), {colorOf(Series::Load1), Qt::SolidLine, false});
    m_load->setValueFormatter([](double value) { return QString::number(value, 'f', 2); });

    // One column, one shared time axis running left to right in every plot (as GNOME System
    // Monitor stacks them): four plots side by side squeezed the time labels into each other.
    // Expanding like the console beside it, so that a splitter shares the width between them.
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    layout->addWidget(m_cpu, 0, 0);
    layout->addWidget(m_memory, 1, 0);
    layout->addWidget(m_io, 2, 0);
    layout->addWidget(m_load, 3, 0);

    m_replotTimer.setSingleShot(true);
    connect(&m_replotTimer, &QTimer::timeout, this, &SessionGraphs::replotNow);
}

void SessionGraphs::addSample(const GraphSample& sample)
{
    if (!sample.time.isValid()) {
        return;
    }
    append(sample);
    requestReplot();
}

void SessionGraphs::setSamples(const QList<GraphSample>& samples)
{
    clearPoints();
    // Only the newest points survive the cap anyway: skip the rest instead of adding and removing.
    const qsizetype first = std::max<qsizetype>(0, samples.size() - maximumPoints);
    for (qsizetype index = first; index < samples.size(); ++index) {
        if (samples.at(index).time.isValid()) {
            append(samples.at(index));
        }
    }
    requestReplot();
}

void SessionGraphs::clear()
{
    clearPoints();
    requestReplot();
}

void SessionGraphs::clearPoints()
{
    for (TimeSeriesPlot* plot : {m_cpu, m_memory, m_io, m_load}) {
        plot->clearPoints();
    }
    m_latestKey = 0.0;
}

void SessionGraphs::append(const GraphSample& sample)
{
    const double key = QCPAxisTickerDateTime::dateTimeToKey(sample.time);
    m_cpu->append(0, key, sample.cpuPercent);
    m_memory->append(0, key, sample.memoryUsedMiB);
    m_memory->append(1, key, sample.memoryTotalMiB);
    m_io->append(0, key, sample.datasetReadBytesPerSecond);
    m_io->append(1, key, sample.scratchWriteBytesPerSecond);
    m_load->append(0, key, sample.load1);
    m_latestKey = std::max(m_latestKey, key);
}

QList<double> SessionGraphs::values(Series series) const
{
    return chart(chartOf(series))->values(indexInChart(series));
}

TimeSeriesPlot* SessionGraphs::chart(Chart chart) const
{
    switch (chart) {
    case Chart::Cpu:
        return m_cpu;
    case Chart::Memory:
        return m_memory;
    case Chart::Io:
        return m_io;
    case Chart::Load:
        return m_load;
    }
    return m_cpu;
}

void SessionGraphs::requestReplot()
{
    if (m_replotTimer.isActive()) {
        return;
    }
    const qint64 since =
        m_sinceReplot.isValid() ? m_sinceReplot.elapsed() : replotIntervalMilliseconds;
    if (since >= replotIntervalMilliseconds) {
        replotNow();
    } else {
        m_replotTimer.start(static_cast<int>(replotIntervalMilliseconds - since));
    }
}

void SessionGraphs::replotNow()
{
    m_sinceReplot.start();
    for (TimeSeriesPlot* plot : {m_cpu, m_memory, m_io, m_load}) {
        if (m_latestKey > 0.0) {
            plot->showWindow(m_latestKey, windowSeconds);
        }
        // Queued: several charts changed in one event-loop turn repaint once.
        plot->replot(QCustomPlot::rpQueuedReplot);
    }
}

} // namespace ui
