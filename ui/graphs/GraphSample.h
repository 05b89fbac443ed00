#pragma once

#include <optional>

#include <QDateTime>

namespace ui {

/// One second of a session's metrics as the graphs draw them; a missing value leaves a gap.
struct GraphSample {
    /// When the sample was taken.
    QDateTime time;
    /// vCPU usage in percent (100 = one vCPU busy all the time).
    std::optional<double> cpuPercent;
    /// Guest memory in use, MiB.
    std::optional<double> memoryUsedMiB;
    /// Guest memory allocated to the VM, MiB.
    std::optional<double> memoryTotalMiB;
    /// Bytes read from datasets per second.
    std::optional<double> datasetReadBytesPerSecond;
    /// Bytes written to the scratch disk per second.
    std::optional<double> scratchWriteBytesPerSecond;
    /// The agent's one-minute load average.
    std::optional<double> load1;
};

} // namespace ui
