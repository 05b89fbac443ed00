#pragma once

#include "sys/Result.h"

#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include <sys/types.h>

namespace vmm::guest {

/// The agent's commands among PID 1's children. PID 1's loop reaps every child (waitpid(-1));
/// when one is an agent command it hands the status over here, and the agent thread that runs
/// the command is woken through its eventfd. Thread-safe.
class ChildTable {
public:
    /// Runs `spawn` with the table locked and watches the pid it returns, so that the reaper
    /// cannot report the exit before the pid is known. `notifyFd` (an eventfd) is written when
    /// the child ends.
    Result<pid_t> spawnWatched(const std::function<Result<pid_t>()>& spawn, int notifyFd);
    /// The waitpid status of a watched child that has ended, if it has.
    std::optional<int> exitStatus(pid_t pid) const;
    /// Stops watching `pid` (its exit, if it comes later, is dropped).
    void forget(pid_t pid);
    /// From the reaper: `pid` ended with `waitStatus`. False when nobody watches that pid.
    bool deliver(pid_t pid, int waitStatus);

private:
    struct Watched {
        int notifyFd = -1;
        std::optional<int> waitStatus;
    };

    mutable std::mutex m_mutex;
    std::map<pid_t, Watched> m_watched;
};

} // namespace vmm::guest
