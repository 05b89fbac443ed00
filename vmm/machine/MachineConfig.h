#pragma once

#include "display/FramebufferGeometry.h"

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

/// The display's Unix socket inside the session directory (a VNC server, DisplayServer).
inline constexpr const char* kDisplaySocketName = "display.sock";

/// The session's screen: a linear framebuffer, a virtio-input keyboard and tablet, and a VNC
/// server on a Unix socket (and, only when asked, on a loopback TCP port with a password).
struct DisplayConfig {
    FramebufferGeometry geometry;
    /// The VNC server's Unix socket.
    std::string socketPath;
    /// Also listen on 127.0.0.1:port (0: any free port), with tcpPassword.
    std::optional<uint16_t> tcpPort;
    std::string tcpPassword;
    /// Updates to viewers at most this often.
    uint32_t maxFramesPerSecond = 30;
    /// The guest runs the session command on the screen's terminal (tty1), not the console.
    bool commandOnDisplay = false;
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
    /// The session's screen; none by default.
    std::optional<DisplayConfig> display;
};

} // namespace vmm
