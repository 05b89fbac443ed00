#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmm {

/// The guest's vsock device listens here, inside the session directory (Firecracker's hybrid
/// vsock: connect, write "CONNECT <port>\n"; guest-initiated connections to port P reach a
/// listener at this path + "_P").
inline constexpr const char* kVsockSocketName = "vsock.sock";

/// A host folder or file the guest sees read-only at /datasets/<name>.
struct DatasetConfig {
    std::string name;
    std::string hostPath;
};

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
    /// Read-only datasets, each an EROFS image synthesized from the host path (DESIGN.md §Datasets).
    std::vector<DatasetConfig> datasets;
    /// Empty read-only disks added at boot for datasets added while the session runs (fewer
    /// when the virtio slots run out); 0: no dataset can be added after the start.
    uint32_t spareDatasetSlots = 4;
    /// Size of the encrypted scratch disk for /work and /outbox; 0 for none.
    uint64_t scratchBytes = 0;
    /// The session's runtime directory (scratch file, vsock socket); created by airlock-vmm,
    /// removed when it shreds. Empty: no scratch and no vsock.
    std::string sessionDirectory;
};

} // namespace vmm
