#include "InitSignals.h"

#include <cerrno>
#include <ctime>

namespace vmm::guest {

InitSignals InitSignals::block()
{
    sigset_t set;
    ::sigemptyset(&set);
    for (int signal : {SIGCHLD, SIGUSR1, SIGUSR2, SIGTERM})
        ::sigaddset(&set, signal);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    return InitSignals(set);
}

void InitSignals::unblockAllInChild()
{
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

int InitSignals::wait() const
{
    for (;;) {
        int signal = ::sigwaitinfo(&m_set, nullptr);
        if (signal > 0)
            return signal;
        // EINTR only (the set is valid): a stop/continue of PID 1 itself.
    }
}

std::optional<int> InitSignals::waitFor(std::chrono::nanoseconds limit) const
{
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(limit);
    struct timespec timeout {
        static_cast<time_t>(seconds.count()), static_cast<long>((limit - seconds).count())
    };
    int signal = ::sigtimedwait(&m_set, nullptr, &timeout);
    if (signal > 0)
        return signal;
    return std::nullopt; // EAGAIN (time ran out) or EINTR: the caller checks its deadline
}

} // namespace vmm::guest
