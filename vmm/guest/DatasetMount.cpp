#include "DatasetMount.h"

#include "StorageMounts.h"
#include "StoragePlan.h"

#include <fstream>
#include <optional>
#include <thread>

namespace vmm::guest {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(10);

std::optional<std::string> findDisk(const std::string& serial, const std::string& sysBlock)
{
    // Each serial read asks the device (virtio_blk's GET_ID), so the new name shows at once.
    for (const StoragePlan::Disk& disk : StoragePlan::scanDisks(sysBlock)) {
        if (disk.serial == serial)
            return disk.device;
    }
    return std::nullopt;
}

uint64_t sizeInSectors(const std::string& sysBlock, const std::string& device)
{
    std::ifstream file(sysBlock + "/" + device + "/size");
    uint64_t sectors = 0;
    if (!(file >> sectors))
        return 0;
    return sectors;
}

} // namespace

Result<std::string> DatasetMount::waitForDisk(
    const std::string& serial, const std::string& sysBlock, std::chrono::milliseconds wait)
{
    Clock::time_point deadline = Clock::now() + wait;
    std::optional<std::string> device;
    for (;;) {
        if (!device)
            device = findDisk(serial, sysBlock);
        if (device && sizeInSectors(sysBlock, *device) > 0)
            return *device;
        if (Clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(kPollInterval);
    }
    std::string waited = std::to_string(wait.count()) + " ms";
    if (!device)
        return failure(Error::fromErrno("dataset disk", ENOENT,
            "no disk with serial " + serial + " appeared within " + waited));
    return failure(Error::fromErrno("dataset disk", ETIMEDOUT,
        "disk " + *device + " (" + serial + ") still shows no data after " + waited));
}

Result<std::string> DatasetMount::mount(unsigned index, const std::string& name,
    const std::string& sysBlock, std::chrono::milliseconds wait)
{
    VMM_TRY(StoragePlan::validateName(name));
    std::string device = VMM_TRY(waitForDisk("airlock-ds" + std::to_string(index), sysBlock, wait));
    return StorageMounts::mountDataset(device, name);
}

} // namespace vmm::guest
