#pragma once

#include <cstdint>
#include <string>

namespace vmm::guest {

/// What the readiness line says about the machine the guest woke up in.
class SystemSummary {
public:
    SystemSummary(std::string kernelRelease, long cpus, uint64_t memoryKiB)
        : m_kernelRelease(std::move(kernelRelease))
        , m_cpus(cpus)
        , m_memoryKiB(memoryKiB)
    {
    }

    /// Reads the kernel release, online CPUs and total memory (needs /sys and /proc mounted).
    static SystemSummary gather();

    /// "ready (linux 6.1.0, 2 cpus, 502340 kB)": the host waits for "airlock-guest: ready".
    std::string readinessMessage() const;

private:
    std::string m_kernelRelease;
    long m_cpus = 0;
    uint64_t m_memoryKiB = 0;
};

} // namespace vmm::guest
