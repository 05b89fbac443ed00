#include "EventFd.h"

#include <cerrno>
#include <sys/eventfd.h>
#include <unistd.h>

namespace vmm {

Result<EventFd> EventFd::create()
{
    int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0)
        return failure(Error::fromErrno("eventfd", errno));
    return EventFd(UniqueFd(fd));
}

void EventFd::signal(uint64_t value) const
{
    // A full counter (EAGAIN) already wakes the waiter, so a failed write loses nothing.
    [[maybe_unused]] ssize_t written = ::write(m_fd.get(), &value, sizeof value);
}

uint64_t EventFd::consume() const
{
    uint64_t value = 0;
    if (::read(m_fd.get(), &value, sizeof value) != static_cast<ssize_t>(sizeof value))
        return 0;
    return value;
}

} // namespace vmm
