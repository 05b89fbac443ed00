#pragma once

#include "sys/Result.h"

#include <string_view>

namespace vmm::guest {

/// The terminal the session command runs on: the serial console (the default) or, with the
/// kernel parameter airlock.console=tty1, the first virtual terminal, which the framebuffer
/// console shows on the display. PID 1's own lines stay on the serial console either way.
class SessionTerminal {
public:
    /// The kernel parameter that chooses it.
    static constexpr std::string_view kParameter = "airlock.console";

    /// The serial console, /dev/ttyS0.
    static SessionTerminal serial() { return SessionTerminal(false); }
    /// The display's first virtual terminal, /dev/tty1.
    static SessionTerminal display() { return SessionTerminal(true); }

    /// From the last airlock.console= before "--" on `kernelCommandLine`: "tty1" is the display,
    /// "ttyS0" or no parameter the serial console; any other value is refused (the caller says so
    /// and uses serial()).
    static Result<SessionTerminal> fromKernelCommandLine(std::string_view kernelCommandLine);

    /// The device the command gets as controlling terminal and stdio.
    const char* devicePath() const { return m_display ? "/dev/tty1" : "/dev/ttyS0"; }
    /// Whether it is a virtual terminal on the display (to be made the visible one first).
    bool isDisplay() const { return m_display; }
    /// The virtual terminal's number for VT_ACTIVATE (only when isDisplay()).
    static constexpr int kVirtualTerminal = 1;

private:
    explicit SessionTerminal(bool display)
        : m_display(display)
    {
    }

    bool m_display = false;
};

} // namespace vmm::guest
