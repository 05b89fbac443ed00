#pragma once

#include "kvm/VcpuFd.h"
#include "sys/Result.h"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <sys/types.h>
#include <thread>

namespace vmm {

/// What the machine does with each vCPU exit; called on the vCPU's own thread.
class VcpuExitHandler {
public:
    enum class Action { Continue, Stop };
    virtual ~VcpuExitHandler() = default;
    /// Handles `exit` of vCPU `index`; Stop ends this vCPU's thread.
    virtual Action handleExit(uint32_t index, const VcpuExit& exit) = 0;
    /// KVM_RUN itself failed on vCPU `index`; the thread ends after this call.
    virtual void handleFailure(uint32_t index, const Error& error) = 0;
};

/// One thread running one vCPU through an explicit state machine (Paused → Running ⇄ Paused →
/// Finished), like Firecracker's vCPU states. Commands come from other threads; a signal with
/// KVM's immediate_exit kicks the vCPU out of KVM_RUN so it sees them. Joins on destruction.
class VcpuThread {
public:
    enum class State { Paused, Running, Finished };

    /// Starts the thread, paused. `handler` must outlive the VcpuThread.
    static Result<std::unique_ptr<VcpuThread>> create(VcpuFd vcpu, VcpuExitHandler& handler);
    ~VcpuThread();

    VcpuThread(const VcpuThread&) = delete;
    VcpuThread& operator=(const VcpuThread&) = delete;

    void resume();
    /// Returns once the vCPU is out of KVM_RUN and waiting (or finished).
    void pause();
    /// Ends the thread and joins it.
    void stop();
    State state() const;
    uint32_t index() const { return m_vcpu.index(); }
    /// The kernel thread id (for its CPU time in /proc), 0 until the thread runs.
    pid_t threadId() const { return m_threadId.load(); }
    /// Runs on every vCPU thread as it starts, before KVM_RUN (airlock-vmm installs the vCPU
    /// seccomp filter there). Set once, before any machine is built.
    static void setThreadStartHook(void (*hook)());

private:
    enum class Request { Pause, Run, Stop };
    VcpuThread(VcpuFd vcpu, VcpuExitHandler& handler);
    void run();
    void kick();

    VcpuFd m_vcpu;
    VcpuExitHandler& m_handler;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    Request m_request = Request::Pause;
    State m_state = State::Paused;
    pthread_t m_threadHandle {};
    std::atomic<pid_t> m_threadId { 0 };
    std::thread m_thread;
};

} // namespace vmm
