#pragma once

#include "MachineConfig.h"
#include "sys/Result.h"

#include <string>
#include <string_view>

namespace vmm {

/// Parses a memory size: a number of MiB ("512"), or with a unit ("512M", "2G", "1.5G" is not
/// accepted). Fails with a readable reason.
Result<uint64_t> parseMemorySize(std::string_view text);

/// Reads a machine config from JSON text. Keys: "kernel", "initramfs", "cmdline", "memory"
/// (MiB as a number, or a string like "1G"), "vcpus", "command" (array of strings). Unknown keys
/// and wrong types are errors. Relative paths are taken relative to `baseDirectory`.
Result<MachineConfig> parseMachineConfig(std::string_view json, const std::string& baseDirectory);

/// Reads a machine config from the JSON file at `path`.
Result<MachineConfig> loadMachineConfig(const std::string& path);

} // namespace vmm
