#pragma once

#include <string>

#include <sys/types.h>

namespace vmm::guest {

class ChildTable;
class SessionTerminal;
class InitSignals;
class Shutdown;

/// The guest's PID 1 from start to end: mounts, readiness line, datasets and scratch, the guest
/// agent, the session command, reaping, and the shutdown that reports the session's exit status to
/// the host.
class GuestInit {
public:
    /// Runs the whole session. Returns only when not started as PID 1 (with a status for exit).
    static int run(int argc, char** argv);

private:
    static void prepareEnvironment();
    /// The kernel command line from /proc/cmdline (empty if /proc is not mounted).
    static std::string readKernelCommandLine();
    /// Where the session command runs (airlock.console=); says so when it is not the serial
    /// console, and says why when the parameter is refused.
    static SessionTerminal sessionTerminal(const std::string& kernelCommandLine);
    /// Datasets and scratch disk; false (after saying why) when the session must not run.
    static bool mountStorage(const std::string& kernelCommandLine);
    /// The guest agent on vsock; says once on the console when it cannot run.
    static void startAgent(ChildTable& children);
    static Shutdown superviseSession(
        const InitSignals& signals, pid_t session, ChildTable& children);
};

} // namespace vmm::guest
