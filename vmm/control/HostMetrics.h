#pragma once

#include "sys/Result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmm {

/// CPU time one vCPU thread has used.
struct VcpuMetrics {
    uint32_t index = 0;
    uint64_t cpuTimeNs = 0;
};

/// What one disk has done (BlockDeviceStats, with its label).
struct DiskMetrics {
    std::string label; ///< "dataset <name>" or "scratch"
    uint64_t bytesRead = 0;
    uint64_t readOperations = 0;
    uint64_t bytesWritten = 0;
    uint64_t writeOperations = 0;
    uint64_t flushes = 0;
    uint64_t errors = 0;
};

/// The vsock device's counters.
struct VsockMetrics {
    uint64_t connectionsOpen = 0;
    uint64_t connectionsOpened = 0;
    uint64_t connectionsRefused = 0;
    uint64_t bytesToGuest = 0;
    uint64_t bytesFromGuest = 0;
    uint64_t malformedPackets = 0;
};

/// The host's view of a session (issue 3 item 6): vCPU time, the process's memory with and
/// without guest RAM, per-disk I/O, vsock traffic. JSON: {"uptimeMs", "vcpus": [{index,
/// cpuTimeNs}], "processCpuTimeNs", "rssBytes", "guestResidentBytes", "rssExcludingGuestBytes",
/// "disks": [{label, bytesRead, readOperations, bytesWritten, writeOperations, flushes, errors}],
/// "vsock": {...} (optional), "consoleDroppedBytes"}.
struct HostMetrics {
    static constexpr size_t kMaxVcpus = 256;
    static constexpr size_t kMaxDisks = 1024;

    uint64_t uptimeMs = 0;
    std::vector<VcpuMetrics> vcpus;
    uint64_t processCpuTimeNs = 0;
    uint64_t rssBytes = 0; ///< VmRSS
    uint64_t guestResidentBytes = 0; ///< guest RAM pages resident (mincore)
    uint64_t rssExcludingGuestBytes = 0; ///< RssAnon + RssFile
    std::vector<DiskMetrics> disks;
    std::optional<VsockMetrics> vsock;
    uint64_t consoleDroppedBytes = 0;

    nlohmann::json toJson() const;
    static Result<HostMetrics> fromJson(const nlohmann::json& json);
};

} // namespace vmm
