#pragma once

#include "Machine.h"
#include "MachineConfig.h"
#include "sys/Result.h"

#include <memory>

namespace vmm {

/// Builds a paused microVM from `config`, one fallible step per line (like Firecracker's
/// build_microvm_for_boot). Guest console output goes to `output`.
Result<std::unique_ptr<Machine>> buildMachine(const MachineConfig& config, ConsoleOutput output);

} // namespace vmm
