#pragma once

#include "Result.h"
#include "UniqueFd.h"

#include <cstdint>

namespace vmm {

/// A non-blocking eventfd: a counter one thread signals and another waits on with poll/epoll.
class EventFd {
public:
    static Result<EventFd> create();

    /// Adds `value` to the counter, waking any waiter.
    void signal(uint64_t value = 1) const;
    /// Reads and resets the counter; 0 when nothing was signalled.
    uint64_t consume() const;
    int fd() const { return m_fd.get(); }

private:
    explicit EventFd(UniqueFd fd)
        : m_fd(std::move(fd))
    {
    }
    UniqueFd m_fd;
};

} // namespace vmm
