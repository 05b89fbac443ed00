#pragma once

#include "MetricsSample.h"

#include <limits>
#include <optional>
#include <vector>

#include <QList>

namespace app {

/// A value nobody knows (NaN): QCustomPlot draws it as a break in the line.
inline constexpr double kUnknownValue = std::numeric_limits<double>::quiet_NaN();

/// One second of a session's graphs. NaN means "not known": a gap in the graph, never a zero
/// (no sample that second, no baseline yet, a counter that went backwards, no agent answer).
struct MetricsPoint {
    /// Which second of the engine's uptime this is.
    qint64 second = 0;
    /// vCPU usage, 0..100 % of all vCPUs.
    double cpuPercent = kUnknownValue;
    /// Guest memory in use and in total (bytes).
    double memoryUsedBytes = kUnknownValue;
    double memoryTotalBytes = kUnknownValue;
    /// Bytes per second read from the datasets and written to scratch.
    double datasetReadBytesPerSecond = kUnknownValue;
    double scratchWriteBytesPerSecond = kUnknownValue;
    /// The agent's one-minute load average.
    double load = kUnknownValue;

    /// A point for `second` that knows nothing.
    static MetricsPoint gap(qint64 second);
};

/// The last ten minutes of a session as one point per second: cumulative counters from
/// MetricsSample turned into rates against the previous sample. Missing seconds become gaps;
/// a counter that goes backwards (the engine restarted it) yields an unknown rate for that
/// sample and a new baseline. Pure logic: the UI plots points().
class MetricsHistory {
public:
    /// Ten minutes of one-second points.
    static constexpr int kCapacity = 600;

    /// Adds the sample taken at `sample.timestampMs`. A sample for a second that already has one
    /// is ignored; time going backwards (another engine) starts the history afresh.
    void add(const MetricsSample& sample);
    /// Every point, oldest first (at most kCapacity).
    QList<MetricsPoint> points() const;
    /// How many points there are.
    int size() const { return static_cast<int>(m_points.size()); }
    /// The newest point, if any.
    std::optional<MetricsPoint> latest() const;
    /// Forgets everything.
    void clear();

private:
    void append(const MetricsPoint& point);
    MetricsPoint pointFor(const MetricsSample& sample, qint64 second) const;

    std::vector<MetricsPoint> m_points; // a ring once full
    size_t m_oldest = 0;
    std::optional<MetricsSample> m_previous;
};

} // namespace app
