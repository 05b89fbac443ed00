#include "DeviceThread.h"

#include <cstdio>

#include <pthread.h>

namespace vmm {

Result<std::unique_ptr<DeviceThread>> DeviceThread::create()
{
    return std::unique_ptr<DeviceThread>(new DeviceThread(VMM_TRY(EventLoop::create())));
}

DeviceThread::DeviceThread(EventLoop loop)
    : m_loop(std::move(loop))
{
}

DeviceThread::~DeviceThread()
{
    stop();
}

void DeviceThread::start(std::function<void()> onStart)
{
    if (m_thread.joinable())
        return;
    m_thread = std::thread([this, onStart = std::move(onStart)] { run(onStart); });
}

static std::atomic<void (*)()> s_threadStartHook { nullptr };

void DeviceThread::setThreadStartHook(void (*hook)())
{
    s_threadStartHook = hook;
}

void DeviceThread::run(const std::function<void()>& onStart)
{
    ::pthread_setname_np(::pthread_self(), "airlock-devices");
    if (auto hook = s_threadStartHook.load())
        hook();
    if (onStart)
        onStart();
    while (!m_stopping.load()) {
        auto round = m_loop.runOnce(-1);
        if (!round) {
            std::fprintf(stderr, "airlock-vmm: device loop: %s\n", round.error().message().c_str());
            m_failed = true;
            return;
        }
    }
}

void DeviceThread::stop()
{
    if (!m_thread.joinable())
        return;
    m_stopping = true;
    m_loop.post([] { }); // wakes the wait; the loop then sees m_stopping
    m_thread.join();
}

} // namespace vmm
