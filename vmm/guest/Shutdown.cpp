#include "Shutdown.h"

#include "Console.h"
#include "ExitPort.h"
#include "InitSignals.h"
#include "Reaper.h"
#include "StorageMounts.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <string>
#include <unistd.h>

#include <sys/reboot.h>

namespace vmm::guest {

namespace {

using Clock = std::chrono::steady_clock;

// Time for processes to act on SIGTERM, then for SIGKILL to take effect (uninterruptible sleep).
constexpr auto kTerminateGrace = std::chrono::seconds(1);
constexpr auto kKillWait = std::chrono::seconds(1);

// Reaps until no child is left or `limit` has passed; true when none is left.
bool reapAllWithin(const InitSignals& signals, Clock::duration limit)
{
    auto deadline = Clock::now() + limit;
    while (Reaper::reapEnded()) {
        auto left = deadline - Clock::now();
        if (left <= Clock::duration::zero())
            return false;
        signals.waitFor(left); // a SIGCHLD, a stray request (ignored now) or the time limit
    }
    return true;
}

void stopRemainingProcesses(const InitSignals& signals)
{
    // kill(-1) reaches every process but PID 1. SIGHUP, as when a terminal hangs up, ends
    // interactive shells, which ignore SIGTERM; SIGCONT wakes stopped ones so they see both.
    ::kill(-1, SIGTERM);
    ::kill(-1, SIGHUP);
    ::kill(-1, SIGCONT);
    if (reapAllWithin(signals, kTerminateGrace))
        return;
    ::kill(-1, SIGKILL);
    if (!reapAllWithin(signals, kKillWait))
        Console::say("some processes did not die");
}

// Without ACPI (Airlock's kernel has none) the kernel turns a power-off into a halt that never
// returns and never stops the VMM; a reset (reboot=k) does stop it, QEMU's -no-reboot too.
bool canPowerOff()
{
    return ::access("/sys/firmware/acpi", F_OK) == 0;
}

} // namespace

std::optional<Shutdown::Kind> Shutdown::kindForSignal(int signal)
{
    switch (signal) {
    case SIGUSR1:
    case SIGUSR2:
        return Kind::PowerOff;
    case SIGTERM:
        return Kind::Reboot;
    default:
        return std::nullopt;
    }
}

void Shutdown::perform(const InitSignals& signals) const
{
    // Drained first as well: when the session leader dies, the hangup of its terminal discards
    // whatever the serial port has not sent yet.
    Console::drain();
    stopRemainingProcesses(signals);
    ::sync();
    // Nothing runs any more: the scratch filesystem is left clean, the datasets released.
    for (const Error& failure : StorageMounts::unmountAll())
        Console::say(failure.message());
    Console::drain();
    if (m_kind == Kind::PowerOff) {
        if (!ExitPort::report(m_status.value()))
            Console::say(std::string("exit port: ") + std::strerror(errno));
        // Still running: not Airlock's VMM.
        if (canPowerOff())
            ::reboot(RB_POWER_OFF);
    }
    ::reboot(RB_AUTOBOOT);
    Console::say(std::string("cannot stop the machine: ") + std::strerror(errno));
    for (;;) {
        signals.wait();
        Reaper::reapEnded();
    }
}

} // namespace vmm::guest
