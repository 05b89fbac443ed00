#pragma once

#include "sys/Result.h"

#include <span>
#include <string>

namespace vmm {

/// The Landlock ABI version this kernel offers; 0 when Landlock is absent or disabled.
int landlockAbiVersion();

/// Restricts the calling thread and every thread and process it starts afterwards to the file
/// access listed: reading (files and directory listings) under `readOnly`, reading and writing,
/// creating and removing under `readWrite`; nothing elsewhere. Already open fds keep working.
/// Call it from the main thread before starting others. Sets no_new_privs (Landlock requires
/// it). Each of `removable` may also be removed itself (rmdir: Landlock checks that right on its
/// parent, where nothing else is granted). Returns false, having changed nothing, when the kernel
/// has no Landlock.
Result<bool> restrictFileAccess(std::span<const std::string> readOnly,
    std::span<const std::string> readWrite, std::span<const std::string> removable = {});

} // namespace vmm
