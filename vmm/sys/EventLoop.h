#pragma once

#include "EventFd.h"
#include "Result.h"
#include "UniqueFd.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace vmm {

/// One epoll loop: file descriptors with a callback each, run by one thread (the device thread
/// of a machine). Callbacks may add or remove any registration, their own included, while they
/// run. post() is the only member that other threads may call.
class EventLoop {
public:
    /// Receives the epoll event bits (EPOLLIN, EPOLLOUT, EPOLLHUP, ...).
    using Callback = std::function<void(uint32_t events)>;

    static Result<EventLoop> create();

    /// Watches `fd` for `events`; the loop does not own `fd`. One registration per fd.
    Result<void> add(int fd, uint32_t events, Callback callback);
    /// Changes the events watched for `fd`.
    Result<void> modify(int fd, uint32_t events);
    /// Stops watching `fd`; a pending event for it in the current round is dropped.
    void remove(int fd);

    /// Runs `task` on the loop's thread at its next round (thread-safe).
    void post(std::function<void()> task);

    /// Waits at most `timeoutMs` (-1: no limit) and dispatches what is ready. Returns the number
    /// of callbacks run; an interrupted wait (EINTR) returns 0.
    Result<int> runOnce(int timeoutMs);

private:
    struct Registration {
        int fd = -1;
        Callback callback;
    };

    EventLoop(UniqueFd epoll, EventFd wake);
    void runPosted();

    UniqueFd m_epoll;
    EventFd m_wake;
    uint64_t m_nextToken = 1; // epoll data is a token, never a fd, so reuse cannot misroute
    std::unordered_map<uint64_t, std::shared_ptr<Registration>> m_byToken;
    std::unordered_map<int, uint64_t> m_tokenByFd;
    std::unique_ptr<std::mutex> m_postMutex = std::make_unique<std::mutex>();
    std::vector<std::function<void()>> m_posted;
};

} // namespace vmm
