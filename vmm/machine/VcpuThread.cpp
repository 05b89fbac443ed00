#include "VcpuThread.h"

#include <string>

#include <csignal>

namespace vmm {

static int kickSignal()
{
    return SIGRTMIN;
}

static void ignoreKick(int) { }

static Result<void> installKickHandler()
{
    static const int result = [] {
        struct sigaction action {};
        action.sa_handler = ignoreKick;
        sigemptyset(&action.sa_mask);
        // No SA_RESTART: KVM_RUN must return EINTR so the thread looks at its commands.
        return sigaction(kickSignal(), &action, nullptr);
    }();
    if (result < 0)
        return failure(Error::fromErrno("sigaction", errno, "installing the vCPU kick handler"));
    return {};
}

Result<std::unique_ptr<VcpuThread>> VcpuThread::create(VcpuFd vcpu, VcpuExitHandler& handler)
{
    VMM_TRY(installKickHandler());
    std::unique_ptr<VcpuThread> thread(new VcpuThread(std::move(vcpu), handler));
    std::unique_lock lock(thread->m_mutex);
    thread->m_thread = std::thread([raw = thread.get()] { raw->run(); });
    thread->m_threadHandle = thread->m_thread.native_handle();
    return thread;
}

VcpuThread::VcpuThread(VcpuFd vcpu, VcpuExitHandler& handler)
    : m_vcpu(std::move(vcpu))
    , m_handler(handler)
{
}

VcpuThread::~VcpuThread()
{
    stop();
}

static std::atomic<void (*)()> s_threadStartHook { nullptr };

void VcpuThread::setThreadStartHook(void (*hook)())
{
    s_threadStartHook = hook;
}

void VcpuThread::run()
{
    m_threadId = ::gettid();
    // Named so that per-thread figures (top -H, the display benchmark) can tell guest time apart.
    std::string name = "airlock-vcpu" + std::to_string(index());
    ::pthread_setname_np(::pthread_self(), name.c_str());
    // The kick signal is blocked in the threads that create machines; this one must receive it.
    sigset_t kick;
    sigemptyset(&kick);
    sigaddset(&kick, kickSignal());
    pthread_sigmask(SIG_UNBLOCK, &kick, nullptr);
    if (auto hook = s_threadStartHook.load())
        hook();

    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            while (m_request == Request::Pause) {
                m_state = State::Paused;
                m_changed.notify_all();
                m_changed.wait(lock);
            }
            if (m_request == Request::Stop)
                break;
            m_state = State::Running;
        }
        auto exit = m_vcpu.run();
        if (!exit) {
            m_handler.handleFailure(m_vcpu.index(), exit.error());
            break;
        }
        if (std::holds_alternative<InterruptedExit>(*exit)) {
            // A kick: clear it, then look at the request under the lock (set before the kick).
            m_vcpu.requestImmediateExit(false);
            continue;
        }
        if (m_handler.handleExit(m_vcpu.index(), *exit) == VcpuExitHandler::Action::Stop)
            break;
    }
    std::lock_guard lock(m_mutex);
    m_state = State::Finished;
    m_changed.notify_all();
}

void VcpuThread::kick()
{
    m_vcpu.requestImmediateExit(true);
    pthread_kill(m_threadHandle, kickSignal());
}

void VcpuThread::resume()
{
    std::lock_guard lock(m_mutex);
    if (m_state == State::Finished || m_request == Request::Stop)
        return;
    m_request = Request::Run;
    m_changed.notify_all();
}

void VcpuThread::pause()
{
    std::unique_lock lock(m_mutex);
    if (m_state == State::Finished || m_request == Request::Stop)
        return;
    m_request = Request::Pause;
    kick();
    m_changed.wait(lock, [this] { return m_state != State::Running; });
}

void VcpuThread::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_request = Request::Stop;
        m_changed.notify_all();
        if (m_state != State::Finished && m_thread.joinable())
            kick();
    }
    if (m_thread.joinable())
        m_thread.join();
}

VcpuThread::State VcpuThread::state() const
{
    std::lock_guard lock(m_mutex);
    return m_state;
}

} // namespace vmm
