#pragma once

#include <cstdint>
#include <string>

namespace vmm {

/// Why a machine stopped, and what airlock-vmm's exit status says about it.
struct StopReason {
    enum class Kind {
        GuestExit,   ///< the guest's init reported its command's exit status
        PowerOff,    ///< the guest powered off
        Reset,       ///< the guest rebooted (keyboard-controller reset or KVM reset event)
        Panic,       ///< the guest kernel panicked
        TripleFault, ///< the guest CPU shut down
        Crash,       ///< KVM reported a guest crash event
        EngineError, ///< KVM or the VMM failed while running the guest
        HostRequest, ///< the host asked the machine to stop (signal, user)
    };
    Kind kind = Kind::EngineError;
    uint8_t guestStatus = 0;
    std::string detail;

    /// The process exit status that reports this stop (see airlock-vmm --help).
    int exitCode() const;
    /// One line for a person, without a trailing newline.
    std::string description() const;
};

/// Exit status when the guest failed (panic, triple fault, crash, engine error).
inline constexpr int kExitGuestFailed = 125;
/// Exit status when airlock-vmm could not start the machine.
inline constexpr int kExitStartFailed = 1;
/// Exit status for a usage error.
inline constexpr int kExitUsage = 2;

} // namespace vmm
