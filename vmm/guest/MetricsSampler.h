#pragma once

#include "protocol/GuestMetrics.h"

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace vmm::guest {

/// Samples the guest's metrics for the agent's Metrics answer: /proc/meminfo, /proc/stat (CPU
/// busy since the previous sample), /proc/loadavg, /proc/uptime and statvfs of /work.
/// Thread-safe. The parsers are public so that tests can feed them text.
class MetricsSampler {
public:
    /// Memory from /proc/meminfo, in bytes.
    struct Memory {
        uint64_t totalBytes = 0;
        uint64_t availableBytes = 0;
    };
    /// The aggregate "cpu" line of /proc/stat, in clock ticks.
    struct CpuTimes {
        uint64_t busy = 0;
        uint64_t total = 0;
    };

    explicit MetricsSampler(std::string procRoot = "/proc", std::string workPath = "/work")
        : m_procRoot(std::move(procRoot))
        , m_workPath(std::move(workPath))
    {
    }

    /// A sample now; fields that cannot be read are 0.
    GuestMetrics sample();

    /// MemTotal and MemAvailable of /proc/meminfo text (kB there).
    static std::optional<Memory> parseMemory(std::string_view meminfo);
    /// The first "cpu " line of /proc/stat text; busy = total - idle - iowait.
    static std::optional<CpuTimes> parseCpuTimes(std::string_view stat);
    /// The three load averages of /proc/loadavg text.
    static std::optional<std::array<double, 3>> parseLoadAverages(std::string_view loadavg);
    /// The first number of /proc/uptime text.
    static std::optional<double> parseUptime(std::string_view uptime);
    /// Percent of the ticks between two samples that were busy, 0..100.
    static double busyPercent(const CpuTimes& before, const CpuTimes& after);

private:
    std::string m_procRoot;
    std::string m_workPath;
    std::mutex m_mutex;
    CpuTimes m_previous;
};

} // namespace vmm::guest
