#pragma once

#include "sys/Result.h"

#include <span>
#include <string>
#include <string_view>

namespace vmm {

/// Airlock's defaults: console on COM1, keyboard-controller reset as the guest's way to stop,
/// reboot at once on panic (so a panic ends the session instead of hanging it), quiet boot.
inline constexpr std::string_view kDefaultKernelCommandLine
    = "console=ttyS0 reboot=k panic=-1 quiet";

/// Joins `defaults`, the user's `appended` parameters (later ones win in the kernel) and, after
/// " -- ", `initArguments` for the guest's init. Fails with a readable reason on control
/// characters, on an argument the kernel cannot carry (a double quote), on a second " -- ", and
/// when the result is longer than `limit` bytes.
Result<std::string> buildKernelCommandLine(std::string_view defaults, std::string_view appended,
    std::span<const std::string> initArguments, size_t limit);

} // namespace vmm
