#pragma once

#include "sys/Result.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmm::guest {

/// Which virtio-blk disk is what, decided from their serials and the kernel command line, before
/// anything is mounted. Pure, so that every refusal is tested on the host.
///
/// Serials: "airlock-ds<N>" is dataset N, "airlock-scratch" the scratch disk; others are left
/// alone. Names: "airlock.ds<N>=<base64url of the name, no padding>" on the command line.
struct StoragePlan {
    /// A virtio-blk disk as /sys/block shows it.
    struct Disk {
        std::string device; ///< "vda"
        std::string serial; ///< /sys/block/vda/serial, trailing whitespace and NULs removed
    };
    struct Dataset {
        unsigned index = 0;
        std::string name;
        std::string device;
    };

    std::vector<Dataset> datasets; ///< by index
    std::optional<std::string> scratchDevice;

    static constexpr size_t kMaxNameBytes = 255;
    static constexpr unsigned kMaxDatasets = 1000;

    /// Whether `name` can be a folder under /datasets: 1..255 bytes of UTF-8, no '/', NUL or
    /// control character, not "." or "..".
    static Result<void> validateName(std::string_view name);
    /// The dataset names on `commandLine` (words after "--" are the session command, not
    /// parameters), by index; fails on a bad index, encoding or name, or a repeated index or name.
    static Result<std::map<unsigned, std::string>> parseNames(std::string_view commandLine);
    /// Pairs disks and names. Fails on a dataset disk without a name or a name without a disk,
    /// two disks with one serial, or two scratch disks.
    static Result<StoragePlan> make(
        const std::map<unsigned, std::string>& names, const std::vector<Disk>& disks);
    /// The vd* disks under `sysBlock` with their serials.
    static std::vector<Disk> scanDisks(const std::string& sysBlock = "/sys/block");
};

} // namespace vmm::guest
