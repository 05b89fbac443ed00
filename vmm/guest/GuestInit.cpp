#include "GuestInit.h"

#include "AgentServer.h"
#include "AgentSession.h"
#include "ChildTable.h"
#include "Console.h"
#include "EarlyMounts.h"
#include "InitSignals.h"
#include "MetricsSampler.h"
#include "Reaper.h"
#include "SessionCommand.h"
#include "SessionTerminal.h"
#include "Shutdown.h"
#include "StorageMounts.h"
#include "StoragePlan.h"
#include "SystemSummary.h"
#include "protocol/AgentProtocol.h"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
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

    std::string kernelCommandLine = readKernelCommandLine();
    if (!mountStorage(kernelCommandLine))
        Shutdown(Shutdown::Kind::PowerOff, ExitStatus::storageFailed()).perform(signals);
    // PID 1 never returns, so these live as long as the agent's threads.
    static ChildTable children;
    startAgent(children);

    SessionCommand command = SessionCommand::fromInitArguments(
        argc, argv, SessionCommand::countCommandWords(kernelCommandLine));
    Result<pid_t> session = command.start(sessionTerminal(kernelCommandLine));
    if (!session) {
        Console::say(session.error().message());
        Shutdown(Shutdown::Kind::PowerOff, ExitStatus::notStarted()).perform(signals);
    }
    superviseSession(signals, *session, children).perform(signals);
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

SessionTerminal GuestInit::sessionTerminal(const std::string& kernelCommandLine)
{
    Result<SessionTerminal> terminal = SessionTerminal::fromKernelCommandLine(kernelCommandLine);
    if (!terminal) {
        Console::say(terminal.error().message() + "; the session command runs on ttyS0");
        return SessionTerminal::serial();
    }
    if (terminal->isDisplay())
        Console::say(std::string("the session command runs on the display (") +
            terminal->devicePath() + "); its output is not on this console");
    return *terminal;
}

bool GuestInit::mountStorage(const std::string& kernelCommandLine)
{
    Result<StoragePlan> plan = StoragePlan::parseNames(kernelCommandLine)
                                   .and_then([](const std::map<unsigned, std::string>& names) {
                                       return StoragePlan::make(names, StoragePlan::scanDisks());
                                   });
    Result<void> mounted =
        plan.and_then([](const StoragePlan& storage) { return StorageMounts::mountAll(storage); });
    if (mounted) {
        for (const StoragePlan::Dataset& dataset : plan->datasets)
            Console::say(
                "dataset \"" + dataset.name + "\" mounted read-only from " + dataset.device);
        return true;
    }
    Console::say(
        "cannot mount the session's disks, the session will not run: " + mounted.error().message());
    return false;
}

void GuestInit::startAgent(ChildTable& children)
{
    static MetricsSampler metrics;
    static AgentContext context {children, OutboxReader("/outbox"), metrics, [] {
                                     ::kill(::getpid(), SIGUSR2);
                                 }}; // as busybox poweroff: a clean shutdown
    if (auto started = AgentServer::start(context, kAgentPort); !started)
        Console::say(started.error().message());
}

Shutdown GuestInit::superviseSession(
    const InitSignals& signals, pid_t session, ChildTable& children)
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
            else
                children.deliver(pid, waitStatus); // an agent command, or an orphan (dropped)
        });
        if (ended) {
            Console::say("session ended: " + ended->description());
            return Shutdown(Shutdown::Kind::PowerOff, *ended);
        }
    }
}

} // namespace vmm::guest
