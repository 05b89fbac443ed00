#include "ExitStatus.h"

#include <algorithm>
#include <cerrno>

#include <sys/wait.h>

namespace vmm::guest {

ExitStatus ExitStatus::fromWaitStatus(int waitStatus)
{
    if (WIFEXITED(waitStatus))
        return ExitStatus(static_cast<uint8_t>(WEXITSTATUS(waitStatus)));
    if (WIFSIGNALED(waitStatus)) {
        int signal = WTERMSIG(waitStatus);
        // Real-time signals go past 127; the byte saturates rather than wrapping to a small code.
        return ExitStatus(static_cast<uint8_t>(std::min(128 + signal, 255)), signal);
    }
    // waitpid without WUNTRACED reports only the two cases above.
    return ExitStatus(255);
}

ExitStatus ExitStatus::fromExecError(int errnoValue)
{
    return ExitStatus(errnoValue == ENOENT ? 127 : 126);
}

std::string ExitStatus::description() const
{
    if (m_signal != 0)
        return "signal " + std::to_string(m_signal) + " (exit " + std::to_string(m_value) + ")";
    return "exit " + std::to_string(m_value);
}

} // namespace vmm::guest
