#pragma once

#include <cstdint>
#include <optional>

#include <QMap>
#include <QMetaType>

namespace vmm {
struct HostMetrics;
struct GuestMetrics;
} // namespace vmm

namespace app {

/// One reading of a session's counters, as the engine and the guest agent reported them at one
/// moment: cumulative counters (MetricsHistory turns them into rates) and gauges.
struct MetricsSample {
    /// When it was taken, in milliseconds of the engine's uptime (monotonic per engine).
    qint64 timestampMs = 0;
    /// CPU time each vCPU thread has used so far, by vCPU index.
    QMap<quint32, quint64> vcpuTimeNs;
    /// Bytes read from all dataset disks so far.
    quint64 datasetBytesRead = 0;
    /// Bytes written to the scratch disk so far.
    quint64 scratchBytesWritten = 0;
    /// Guest memory in use and in total, from the guest agent (absent when it did not answer).
    std::optional<quint64> guestMemoryUsedBytes;
    std::optional<quint64> guestMemoryTotalBytes;
    /// The guest's one-minute load average, from the guest agent.
    std::optional<double> guestLoad;

    /// A sample from the engine's host metrics and, when there is one, the agent's latest answer.
    static MetricsSample fromMetrics(
        const vmm::HostMetrics& host, const std::optional<vmm::GuestMetrics>& guest);
};

} // namespace app

Q_DECLARE_METATYPE(app::MetricsSample)
