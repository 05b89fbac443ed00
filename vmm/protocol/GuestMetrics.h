#pragma once

#include "Frame.h"
#include "sys/Result.h"

#include <cstdint>

namespace vmm {

/// The guest's view of itself (MessageKind::Metrics, the answer to MetricsRequest). JSON:
/// {"memoryTotalBytes", "memoryAvailableBytes", "memoryUsedBytes": u64 from /proc/meminfo
/// (used = total - available); "cpuBusyPercent": 0..100 since the previous MetricsRequest (since
/// boot for the first); "load1", "load5", "load15": >= 0; "workUsedBytes", "workTotalBytes": u64
/// of /work by statvfs (0 when /work is not mounted); "uptimeSeconds": >= 0}.
struct GuestMetrics {
    uint64_t memoryTotalBytes = 0;
    uint64_t memoryAvailableBytes = 0;
    uint64_t memoryUsedBytes = 0;
    double cpuBusyPercent = 0;
    double load1 = 0;
    double load5 = 0;
    double load15 = 0;
    uint64_t workUsedBytes = 0;
    uint64_t workTotalBytes = 0;
    double uptimeSeconds = 0;

    Frame toFrame() const;
    /// Validates every field: types, ranges, used <= total.
    static Result<GuestMetrics> fromJson(const nlohmann::json& json);
};

} // namespace vmm
