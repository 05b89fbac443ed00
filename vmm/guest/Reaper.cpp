#include "Reaper.h"

#include <cerrno>

#include <sys/wait.h>

namespace vmm::guest {

bool Reaper::reapEnded(const OnEnded& onEnded)
{
    for (;;) {
        int waitStatus = 0;
        pid_t pid = ::waitpid(-1, &waitStatus, WNOHANG);
        if (pid > 0) {
            if (onEnded)
                onEnded(pid, waitStatus);
            continue;
        }
        if (pid == 0)
            return true; // children left, none ended yet
        if (errno == EINTR)
            continue;
        return false; // ECHILD: no children at all
    }
}

} // namespace vmm::guest
