#pragma once

#include "display/DisplayServer.h"
#include "machine/MachineConfig.h"
#include "sys/Result.h"

#include <memory>

namespace vmm {

class Machine;

/// The environment variable that carries the password of --display-tcp viewers.
inline constexpr const char* kDisplayPasswordVariable = "AIRLOCK_DISPLAY_PASSWORD";

/// Moves the password of loopback TCP viewers from the environment into `display` (the variable
/// is wiped and removed, so neither children nor /proc/self/environ see it). Fails when TCP is
/// asked for without a password.
Result<void> takeDisplayPassword(DisplayConfig& display);

/// The VNC server of `machine`'s screen as `display` says, its sockets bound (do this before the
/// sandbox); start() it after the sandbox, so that its thread is confined like the others.
Result<std::unique_ptr<DisplayServer>> createDisplayServer(Machine& machine, const DisplayConfig& display);

} // namespace vmm
