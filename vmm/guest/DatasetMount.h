#pragma once

#include "sys/Result.h"

#include <chrono>
#include <string>

namespace vmm::guest {

/// Mounts a dataset that the host attached while the session runs (MountDatasetRequest): the
/// host has put it into a spare disk and renamed that disk "airlock-ds<index>"; the kernel learns
/// the disk's new size from a configuration-change interrupt a moment later.
class DatasetMount {
public:
    /// How long the disk may take to show its serial and a non-zero size.
    static constexpr std::chrono::milliseconds kDiskWait {2000};

    /// Validates `name` (StoragePlan::validateName), waits for the disk, mounts it read-only at
    /// /datasets/<name> and returns that path.
    static Result<std::string> mount(unsigned index, const std::string& name,
        const std::string& sysBlock = "/sys/block", std::chrono::milliseconds wait = kDiskWait);
    /// The vd* disk under `sysBlock` whose serial is `serial` ("vdf"), once its size (in
    /// sectors, /sys/block/vdX/size) is not zero; waits at most `wait`.
    static Result<std::string> waitForDisk(
        const std::string& serial, const std::string& sysBlock, std::chrono::milliseconds wait);
};

} // namespace vmm::guest
