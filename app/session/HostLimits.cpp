#include "HostLimits.h"

#include <algorithm>
#include <unistd.h>

#include <QThread>

namespace app {

namespace {

// vmm/arch/x86_64/MpTable.h describes at most this many processors; the app does not link the
// engine's arch layer for one number.
constexpr int kEngineMaximumVcpus = 32;
constexpr int kMinimumMemoryMiB = 256;
// QSpinBox holds an int; 1 TiB of guest memory is far beyond any workstation this targets.
constexpr long long kLargestMemoryMiB = 1024 * 1024;

} // namespace

HostLimits HostLimits::current()
{
    HostLimits limits;
    limits.maximumVcpus = std::clamp(QThread::idealThreadCount(), 1, kEngineMaximumVcpus);
    long pages = ::sysconf(_SC_PHYS_PAGES);
    long pageSize = ::sysconf(_SC_PAGESIZE);
    if (pages > 0 && pageSize > 0) {
        long long totalMiB = static_cast<long long>(pages) * pageSize / (1024 * 1024);
        limits.maximumMemoryMiB =
            static_cast<int>(std::clamp(totalMiB / 2, 1LL * kMinimumMemoryMiB, kLargestMemoryMiB));
    }
    return limits;
}

} // namespace app
