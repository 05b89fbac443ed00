#include "GuestInit.h"

#include "Console.h"
#include "EarlyMounts.h"
#include "InitSignals.h"
#include "Reaper.h"
#include "SessionCommand.h"
#include "Shutdown.h"
#include "SystemSummary.h"

#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

namespace vmm::guest {

int GuestInit::run(int argc, char** argv)
{
    if (::getpid() != 1) {
        Console::say("not PID 1; this is the guest's /init and runs only there");
        return 1;
    }
    InitSignals signals = InitSignals::block();
    bool streamsOpen = Console::standardStreamsOpen();
    std::vector<Error> mountFailures = EarlyMounts::mountAll();
    if (!streamsOpen)
        Console::reopenStandardStreams();
    for (const Error& failure : mountFailures)
        Console::say(failure.message());
    prepareEnvironment();
    // First thing after the mounts: boot time then measures the kernel, not us.
    Console::say(SystemSummary::gather().readinessMessage());

    SessionCommand command = SessionCommand::fromInitArguments(argc, argv,
        SessionCommand::countCommandWords(readKernelCommandLine()));
    Result<pid_t> session = command.start();
    if (!session) {
        Console::say(session.error().message());
        Shutdown(Shutdown::Kind::PowerOff, ExitStatus::notStarted()).perform(signals);
    }
    superviseSession(signals, *session).perform(signals);
}

std::string GuestInit::readKernelCommandLine()
{
    std::ifstream file("/proc/cmdline");
    std::string line;
    std::getline(file, line);
    return line;
}

void GuestInit::prepareEnvironment()
{
    ::setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
    ::setenv("HOME", "/root", 1);
    ::setenv("TERM", "linux", 0); // keep a TERM=... from the kernel command line
}

Shutdown GuestInit::superviseSession(const InitSignals& signals, pid_t session)
{
    for (;;) {
        int signal = signals.wait();
        if (auto kind = Shutdown::kindForSignal(signal)) {
            Console::say(
                *kind == Shutdown::Kind::Reboot ? "reboot requested" : "poweroff requested");
            return Shutdown(*kind, ExitStatus::success());
        }
        std::optional<ExitStatus> ended;
        Reaper::reapEnded([&](pid_t pid, int waitStatus) {
            if (pid == session)
                ended = ExitStatus::fromWaitStatus(waitStatus);
        });
        if (ended) {
            Console::say("session ended: " + ended->description());
            return Shutdown(Shutdown::Kind::PowerOff, *ended);
        }
    }
}

} // namespace vmm::guest
