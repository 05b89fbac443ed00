#pragma once

#include "sys/EventLoop.h"
#include "sys/Result.h"

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

namespace vmm {

/// The one thread that runs a machine's device event loop (DESIGN.md §machine): virtio queue
/// notifications (ioeventfds), vsock sockets, the control channel. Devices are processed here and
/// only here, so no device needs more than its transport's lock against vCPU register accesses.
class DeviceThread {
public:
    static Result<std::unique_ptr<DeviceThread>> create();
    ~DeviceThread();

    DeviceThread(const DeviceThread&) = delete;
    DeviceThread& operator=(const DeviceThread&) = delete;

    /// The loop; register with it before start(), or from its own thread afterwards (post()).
    EventLoop& loop() { return m_loop; }
    /// Starts the thread; `onStart` runs first on it (e.g. to install its seccomp filter).
    void start(std::function<void()> onStart = {});
    /// Ends the loop after the current round and joins the thread. Idempotent.
    void stop();
    /// Runs on every device thread as it starts, before `onStart` (airlock-vmm installs the
    /// device seccomp filter there). Set once, before any machine is built.
    static void setThreadStartHook(void (*hook)());
    /// Set when the loop failed (epoll_wait error): the machine must stop.
    bool failed() const { return m_failed; }

private:
    explicit DeviceThread(EventLoop loop);
    void run(const std::function<void()>& onStart);

    EventLoop m_loop;
    std::atomic<bool> m_stopping { false };
    std::atomic<bool> m_failed { false };
    std::thread m_thread;
};

} // namespace vmm
