#pragma once

#include "machine/MachineConfig.h"
#include "sys/Result.h"

#include <span>
#include <string>

namespace vmm {

/// What the airlock-vmm command line asked for.
struct Options {
    enum class Action { Run, Help, Version };
    Action action = Action::Run;
    MachineConfig machine;
    /// A connected stream socket inherited from the app: the control channel. -1: the terminal
    /// is the console instead.
    int controlFd = -1;
    /// Where the shred report (JSON) is written when the session ends; empty: standard error.
    std::string shredReportPath;
    /// Where the datasets' SHA-256 manifests and their check at the end go (JSON); empty: none.
    std::string manifestReportPath;
};

/// The most --spare-dataset-slots accepts (the virtio slots allow no more).
inline constexpr uint32_t kMaxSpareDatasetSlots = 16;

/// The --help text.
std::string usageText();

/// Parses airlock-vmm's arguments (without argv[0]). A --config file is read first and the other
/// options override it, in any order. Words after "--" are the guest command.
Result<Options> parseOptions(std::span<const std::string> arguments);

} // namespace vmm
