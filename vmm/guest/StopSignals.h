#pragma once

#include <chrono>
#include <csignal>
#include <optional>

namespace vmm::guest {

/// SIGINT, SIGTERM and SIGHUP, blocked and taken when a guest tool is ready for them, so that a
/// tool stopped with Ctrl-C or kill still gives the console back before it exits.
class StopSignals {
public:
    /// Blocks them for the calling process.
    static StopSignals block();

    /// Waits at most `limit` for one of them; its number, or nothing when the time ran out.
    std::optional<int> waitFor(std::chrono::nanoseconds limit) const;
    /// One that arrived already, without waiting.
    std::optional<int> pending() const { return waitFor(std::chrono::nanoseconds::zero()); }
    /// Sleeps `duration`, ending early on one of them; its number if so.
    std::optional<int> sleep(std::chrono::nanoseconds duration) const;

private:
    explicit StopSignals(const sigset_t& set)
        : m_set(set)
    {
    }

    sigset_t m_set;
};

} // namespace vmm::guest
