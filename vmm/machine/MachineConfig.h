#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmm {

/// Everything needed to build one microVM; plain data, validated by the builder.
struct MachineConfig {
    std::string kernelPath;
    std::optional<std::string> initrdPath;
    /// Kernel parameters appended to Airlock's defaults (later ones win in the kernel).
    std::string commandLineAppend;
    /// The command the guest's init runs (empty: an interactive shell on the console).
    std::vector<std::string> command;
    uint64_t memoryBytes = 512ull << 20;
    uint32_t vcpuCount = 1;
    std::string kvmDevicePath = "/dev/kvm";
};

} // namespace vmm
