#include "SystemSummary.h"

#include <unistd.h>

#include <sys/sysinfo.h>
#include <sys/utsname.h>

namespace vmm::guest {

SystemSummary SystemSummary::gather()
{
    struct utsname names { };
    std::string release = ::uname(&names) == 0 ? names.release : "?";
    long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    // sysinfo's total RAM is what /proc/meminfo calls MemTotal, without parsing text.
    struct sysinfo info { };
    uint64_t memoryKiB = 0;
    if (::sysinfo(&info) == 0)
        memoryKiB = uint64_t {info.totalram} * info.mem_unit / 1024;
    return SystemSummary(std::move(release), cpus, memoryKiB);
}

std::string SystemSummary::readinessMessage() const
{
    std::string cpus = m_cpus > 0 ? std::to_string(m_cpus) : "?";
    return "ready (linux " + m_kernelRelease + ", " + cpus + (m_cpus == 1 ? " cpu, " : " cpus, ") +
        std::to_string(m_memoryKiB) + " kB)";
}

} // namespace vmm::guest
