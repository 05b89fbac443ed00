#include "StopSignals.h"

#include <ctime>

namespace vmm::guest {

StopSignals StopSignals::block()
{
    sigset_t set;
    ::sigemptyset(&set);
    for (int signal : {SIGINT, SIGTERM, SIGHUP})
        ::sigaddset(&set, signal);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    return StopSignals(set);
}

std::optional<int> StopSignals::waitFor(std::chrono::nanoseconds limit) const
{
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(limit);
    struct timespec timeout {
        static_cast<time_t>(seconds.count()), static_cast<long>((limit - seconds).count())
    };
    int signal = ::sigtimedwait(&m_set, nullptr, &timeout);
    if (signal > 0)
        return signal;
    return std::nullopt; // EAGAIN (time ran out) or EINTR (a stop and continue)
}

std::optional<int> StopSignals::sleep(std::chrono::nanoseconds duration) const
{
    auto deadline = std::chrono::steady_clock::now() + duration;
    for (;;) {
        auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::nanoseconds::zero())
            return std::nullopt;
        if (auto signal = waitFor(left))
            return signal;
    }
}

} // namespace vmm::guest
