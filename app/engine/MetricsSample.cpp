#include "MetricsSample.h"

#include "control/HostMetrics.h"
#include "protocol/GuestMetrics.h"

#include <limits>
#include <string_view>

namespace app {

namespace {
constexpr std::string_view kDatasetLabelPrefix = "dataset ";
constexpr std::string_view kScratchLabel = "scratch";

// Counters from a hostile engine may be anything: a sum saturates instead of wrapping.
quint64 saturatingAdd(quint64 left, quint64 right)
{
    return right > std::numeric_limits<quint64>::max() - left ? std::numeric_limits<quint64>::max()
                                                              : left + right;
}
} // namespace

MetricsSample MetricsSample::fromMetrics(
    const vmm::HostMetrics& host, const std::optional<vmm::GuestMetrics>& guest)
{
    MetricsSample sample;
    sample.timestampMs =
        static_cast<qint64>(std::min<uint64_t>(host.uptimeMs, std::numeric_limits<qint64>::max()));
    for (const vmm::VcpuMetrics& vcpu : host.vcpus)
        sample.vcpuTimeNs.insert(vcpu.index, vcpu.cpuTimeNs);
    for (const vmm::DiskMetrics& disk : host.disks) {
        if (std::string_view(disk.label).starts_with(kDatasetLabelPrefix))
            sample.datasetBytesRead = saturatingAdd(sample.datasetBytesRead, disk.bytesRead);
        else if (disk.label == kScratchLabel)
            sample.scratchBytesWritten =
                saturatingAdd(sample.scratchBytesWritten, disk.bytesWritten);
    }
    if (guest) {
        sample.guestMemoryUsedBytes = guest->memoryUsedBytes;
        sample.guestMemoryTotalBytes = guest->memoryTotalBytes;
        sample.guestLoad = guest->load1;
    }
    return sample;
}

} // namespace app
