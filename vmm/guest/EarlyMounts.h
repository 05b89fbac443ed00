#pragma once

#include "sys/Error.h"

#include <vector>

namespace vmm::guest {

/// The filesystems every session expects before its command runs: /proc, /sys, /dev (devtmpfs),
/// /dev/pts, /dev/shm, /tmp and /run.
class EarlyMounts {
public:
    /// Mounts them all, in order; one that fails does not stop the others. Returns the failures.
    static std::vector<Error> mountAll();
};

} // namespace vmm::guest
