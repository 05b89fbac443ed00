#pragma once

#include "ExitStatus.h"

#include <optional>

namespace vmm::guest {

class InitSignals;

/// The end of a session: stop every process left, sync, unmount the session's disks, then tell
/// the host and stop the machine.
class Shutdown {
public:
    enum class Kind {
        PowerOff, ///< report the status on the exit port, then power off
        Reboot, ///< reset the machine without reporting (busybox reboot)
    };

    Shutdown(Kind kind, ExitStatus status)
        : m_kind(kind)
        , m_status(status)
    {
    }

    /// What busybox asks of PID 1: poweroff sends SIGUSR2, halt SIGUSR1, reboot SIGTERM.
    static std::optional<Kind> kindForSignal(int signal);

    Kind kind() const { return m_kind; }
    ExitStatus status() const { return m_status; }

    /// Carries it out. Never returns: PID 1 must not exit, so if the machine will not stop it
    /// goes on reaping.
    [[noreturn]] void perform(const InitSignals& signals) const;

private:
    Kind m_kind;
    ExitStatus m_status;
};

} // namespace vmm::guest
