#pragma once

#include <functional>

#include <sys/types.h>

namespace vmm::guest {

/// Collects ended children. As PID 1 every orphan in the guest becomes our child, so this is
/// what keeps the process table free of zombies.
class Reaper {
public:
    /// Called with the pid and waitpid status of each child reaped.
    using OnEnded = std::function<void(pid_t pid, int waitStatus)>;

    /// Reaps every child that has ended, without blocking. Returns whether any child is left.
    static bool reapEnded(const OnEnded& onEnded = {});
};

} // namespace vmm::guest
