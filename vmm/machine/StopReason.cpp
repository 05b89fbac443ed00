#include "StopReason.h"

namespace vmm {

int StopReason::exitCode() const
{
    switch (kind) {
    case Kind::GuestExit:
        return guestStatus;
    case Kind::PowerOff:
    case Kind::Reset:
        return 0;
    case Kind::HostRequest:
        return 128 + guestStatus; // guestStatus holds the signal number here
    case Kind::Panic:
    case Kind::TripleFault:
    case Kind::Crash:
    case Kind::EngineError:
        return kExitGuestFailed;
    }
    return kExitGuestFailed;
}

std::string StopReason::description() const
{
    std::string text;
    switch (kind) {
    case Kind::GuestExit:
        text = "guest command exited with status " + std::to_string(guestStatus);
        break;
    case Kind::PowerOff:
        text = "guest powered off";
        break;
    case Kind::Reset:
        text = "guest rebooted";
        break;
    case Kind::Panic:
        text = "guest kernel panic";
        break;
    case Kind::TripleFault:
        text = "guest triple fault (the virtual CPU shut down)";
        break;
    case Kind::Crash:
        text = "guest crashed";
        break;
    case Kind::EngineError:
        text = "engine failure";
        break;
    case Kind::HostRequest:
        text = "stopped by the host";
        break;
    }
    if (!detail.empty())
        text += ": " + detail;
    return text;
}

} // namespace vmm
