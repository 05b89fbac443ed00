#pragma once

#include <chrono>
#include <csignal>
#include <optional>

namespace vmm::guest {

/// The signals PID 1 acts on, blocked and taken synchronously so that no handler runs in the
/// middle of a fork or a shutdown: SIGCHLD (reap), SIGUSR2 (poweroff), SIGUSR1 (halt), SIGTERM
/// (reboot), the signals busybox's poweroff, halt and reboot send to PID 1.
class InitSignals {
public:
    /// Blocks them; call before anything else so that an early request is kept, not lost.
    static InitSignals block();
    /// In a freshly forked child, before exec: unblocks every signal again.
    static void unblockAllInChild();

    /// Waits for the next of them and returns its number.
    int wait() const;
    /// Waits at most `limit`; nothing when the time ran out.
    std::optional<int> waitFor(std::chrono::nanoseconds limit) const;

private:
    explicit InitSignals(const sigset_t& set)
        : m_set(set)
    {
    }

    sigset_t m_set;
};

} // namespace vmm::guest
