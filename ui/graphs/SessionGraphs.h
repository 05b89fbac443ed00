#pragma once

#include "GraphSample.h"

#include <QElapsedTimer>
#include <QList>
#include <QTimer>
#include <QWidget>

namespace ui {

class TimeSeriesPlot;

/// A session's live graphs over the last ten minutes: vCPU usage, guest memory used against
/// allocated, dataset reads and scratch writes per second, and the agent's load.
/// Fed once a second; replots at most once a second whatever the feed rate.
class SessionGraphs : public QWidget {
    Q_OBJECT

public:
    /// The curves, for tests and for the session window's accessibility text.
    enum class Series {
        CpuPercent,
        MemoryUsedMiB,
        MemoryTotalMiB,
        DatasetReadBytesPerSecond,
        ScratchWriteBytesPerSecond,
        Load1,
    };
    /// The charts.
    enum class Chart { Cpu, Memory, Io, Load };

    /// Points kept per curve (ten minutes at one sample a second).
    static constexpr int maximumPoints = 600;
    /// Time shown, in seconds.
    static constexpr double windowSeconds = 600.0;
    /// Shortest time between two replots, in milliseconds.
    static constexpr int replotIntervalMilliseconds = 1000;

    /// Empty charts.
    explicit SessionGraphs(QWidget* parent = nullptr);

    /// Adds one sample (samples without a valid time are ignored); missing values make gaps.
    void addSample(const GraphSample& sample);
    /// Replaces everything with `samples` (a session window opened on a running session).
    void setSamples(const QList<GraphSample>& samples);
    /// Forgets every sample.
    void clear();
    /// Values of a curve, oldest first; NaN where the sample had no value.
    QList<double> values(Series series) const;
    /// The chart a curve is drawn in.
    TimeSeriesPlot* chart(Chart chart) const;
    /// The colour a curve is drawn in.
    static QColor colorOf(Series series);

private:
    void append(const GraphSample& sample);
    void clearPoints();
    void requestReplot();
    void replotNow();

    TimeSeriesPlot* m_cpu = nullptr;
    TimeSeriesPlot* m_memory = nullptr;
    TimeSeriesPlot* m_io = nullptr;
    TimeSeriesPlot* m_load = nullptr;
    double m_latestKey = 0.0;
    QElapsedTimer m_sinceReplot;
    QTimer m_replotTimer;
};

} // namespace ui
