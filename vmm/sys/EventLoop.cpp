#include "EventLoop.h"

#include <array>
#include <cerrno>

#include <sys/epoll.h>

namespace vmm {

static constexpr uint64_t kWakeToken = 0;

Result<EventLoop> EventLoop::create()
{
    UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll.isValid())
        return failure(Error::fromErrno("epoll_create1", errno));
    EventFd wake = VMM_TRY(EventFd::create());
    epoll_event event {};
    event.events = EPOLLIN;
    event.data.u64 = kWakeToken;
    if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, wake.fd(), &event) < 0)
        return failure(Error::fromErrno("epoll_ctl", errno, "adding the wake eventfd"));
    return EventLoop(std::move(epoll), std::move(wake));
}

EventLoop::EventLoop(UniqueFd epoll, EventFd wake)
    : m_epoll(std::move(epoll))
    , m_wake(std::move(wake))
{
}

Result<void> EventLoop::add(int fd, uint32_t events, Callback callback)
{
    if (m_tokenByFd.contains(fd))
        return failure(Error::invalid("EventLoop::add", "fd " + std::to_string(fd) + " is already watched"));
    uint64_t token = m_nextToken++;
    epoll_event event {};
    event.events = events;
    event.data.u64 = token;
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd, &event) < 0)
        return failure(Error::fromErrno("epoll_ctl", errno, "adding fd " + std::to_string(fd)));
    m_byToken.emplace(token, std::make_shared<Registration>(Registration { fd, std::move(callback) }));
    m_tokenByFd.emplace(fd, token);
    return {};
}

Result<void> EventLoop::modify(int fd, uint32_t events)
{
    auto found = m_tokenByFd.find(fd);
    if (found == m_tokenByFd.end())
        return failure(Error::invalid("EventLoop::modify", "fd " + std::to_string(fd) + " is not watched"));
    epoll_event event {};
    event.events = events;
    event.data.u64 = found->second;
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_MOD, fd, &event) < 0)
        return failure(Error::fromErrno("epoll_ctl", errno, "modifying fd " + std::to_string(fd)));
    return {};
}

void EventLoop::remove(int fd)
{
    auto found = m_tokenByFd.find(fd);
    if (found == m_tokenByFd.end())
        return;
    // Failure means the fd was already closed, which removed it from the epoll set anyway.
    ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
    m_byToken.erase(found->second);
    m_tokenByFd.erase(found);
}

void EventLoop::post(std::function<void()> task)
{
    {
        std::lock_guard lock(*m_postMutex);
        m_posted.push_back(std::move(task));
    }
    m_wake.signal();
}

void EventLoop::runPosted()
{
    m_wake.consume();
    std::vector<std::function<void()>> tasks;
    {
        std::lock_guard lock(*m_postMutex);
        tasks.swap(m_posted);
    }
    for (auto& task : tasks)
        task();
}

Result<int> EventLoop::runOnce(int timeoutMs)
{
    std::array<epoll_event, 32> events {};
    int count = ::epoll_wait(m_epoll.get(), events.data(), static_cast<int>(events.size()), timeoutMs);
    if (count < 0) {
        if (errno == EINTR)
            return 0;
        return failure(Error::fromErrno("epoll_wait", errno));
    }
    int dispatched = 0;
    for (int i = 0; i < count; ++i) {
        const epoll_event& event = events[static_cast<size_t>(i)];
        uint64_t token = event.data.u64; // epoll_event is packed: copy, never bind a reference
        if (token == kWakeToken) {
            runPosted();
            ++dispatched;
            continue;
        }
        // Looked up per event: an earlier callback of this round may have removed this one.
        auto found = m_byToken.find(token);
        if (found == m_byToken.end())
            continue;
        std::shared_ptr<Registration> registration = found->second; // alive while it runs
        registration->callback(event.events);
        ++dispatched;
    }
    return dispatched;
}

} // namespace vmm
