#pragma once

#include <string_view>

namespace vmm::guest {

/// PID 1's standard streams on the system console, and its own messages there.
class Console {
public:
    /// Whether fds 0, 1 and 2 are all open (the kernel opens /dev/console for init if it can).
    static bool standardStreamsOpen();
    /// Opens /dev/console onto whichever of fds 0, 1, 2 is closed; needs /dev mounted.
    static void reopenStandardStreams();
    /// Writes "airlock-guest: <message>\n" to the console as a single write.
    static void say(std::string_view message);
    /// Waits, at most a bounded time, until the serial port has sent what is queued for it, so
    /// the session's last output is not lost when the machine stops right after.
    static void drain();
};

} // namespace vmm::guest
