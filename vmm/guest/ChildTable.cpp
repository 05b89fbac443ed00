#include "ChildTable.h"

#include <cstdint>
#include <unistd.h>

namespace vmm::guest {

Result<pid_t> ChildTable::spawnWatched(const std::function<Result<pid_t>()>& spawn, int notifyFd)
{
    std::lock_guard lock(m_mutex);
    pid_t pid = VMM_TRY(spawn());
    m_watched[pid] = Watched {notifyFd, std::nullopt};
    return pid;
}

std::optional<int> ChildTable::exitStatus(pid_t pid) const
{
    std::lock_guard lock(m_mutex);
    auto found = m_watched.find(pid);
    if (found == m_watched.end())
        return std::nullopt;
    return found->second.waitStatus;
}

void ChildTable::forget(pid_t pid)
{
    std::lock_guard lock(m_mutex);
    m_watched.erase(pid);
}

bool ChildTable::deliver(pid_t pid, int waitStatus)
{
    std::lock_guard lock(m_mutex);
    auto found = m_watched.find(pid);
    if (found == m_watched.end())
        return false;
    found->second.waitStatus = waitStatus;
    uint64_t one = 1;
    [[maybe_unused]] ssize_t written = ::write(found->second.notifyFd, &one, sizeof one);
    return true;
}

} // namespace vmm::guest
