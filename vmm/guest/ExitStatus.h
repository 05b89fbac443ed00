#pragma once

#include <cstdint>
#include <string>

namespace vmm::guest {

/// The one-byte status the guest reports to the host for the session command, with a shell's
/// conventions: the exit code, 128 + signal when killed, 127 not found, 126 cannot execute.
class ExitStatus {
public:
    /// Status 0: the session was powered off or halted from inside the guest.
    static ExitStatus success() { return ExitStatus(0); }
    /// The status a shell gives for a child that ended with `waitStatus` (from waitpid).
    static ExitStatus fromWaitStatus(int waitStatus);
    /// The status a shell gives when exec failed with `errnoValue`.
    static ExitStatus fromExecError(int errnoValue);
    /// The status when the session could not even be started (fork failed).
    static ExitStatus notStarted() { return ExitStatus(126); }
    /// Status 125: the session's datasets or scratch disk could not be mounted, so its command
    /// was not run (fail closed rather than run against missing data).
    static ExitStatus storageFailed() { return ExitStatus(125); }

    uint8_t value() const { return m_value; }
    /// "exit 7" or "signal 9 (exit 137)", for the console.
    std::string description() const;

private:
    explicit ExitStatus(uint8_t value, int signal = 0)
        : m_value(value)
        , m_signal(signal)
    {
    }

    uint8_t m_value = 0;
    int m_signal = 0;
};

} // namespace vmm::guest
