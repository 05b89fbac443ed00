#pragma once

#include "StoragePlan.h"
#include "sys/Result.h"

#include <string>
#include <string_view>
#include <vector>

namespace vmm::guest {

/// Mounts what a StoragePlan describes: each dataset read-only (EROFS; ro, nosuid, nodev, noexec)
/// at /datasets/<name>; the scratch disk, formatted with busybox mke2fs when it holds no ext2/3/4
/// filesystem yet, at /scratch, with /scratch/work bound on /work and /scratch/outbox on /outbox
/// (nosuid, nodev).
class StorageMounts {
public:
    /// Mounts everything or fails at the first problem (the session must not run then).
    static Result<void> mountAll(const StoragePlan& plan);
    /// Mounts disk `device` ("vdf") read-only as dataset `name` at /datasets/<name> (EROFS; ro,
    /// nosuid, nodev, noexec), making the folders it needs. Refuses a name that is mounted
    /// already; a folder it made for a mount that failed is removed again. Returns the path.
    static Result<std::string> mountDataset(const std::string& device, const std::string& name);
    /// At shutdown: unmounts /work, /outbox, /scratch and every /datasets/* mount, newest first.
    /// Returns the failures.
    static std::vector<Error> unmountAll();
    /// Whether the bytes at offset 1024 of a disk (its first superblock) hold the ext2/3/4 magic.
    static bool isExtSuperblock(std::string_view superblock);
    /// A mount point from /proc/self/mounts with its octal escapes ("\040" for a space) undone.
    static std::string unescapeMountPath(std::string_view escaped);

private:
    static Result<void> mountScratch(const std::string& device);
    static Result<void> format(const std::string& devicePath);
};

} // namespace vmm::guest
