#pragma once

#include <cstdint>

namespace app::displaylimits {

// What Airlock accepts from a session's display server. The server runs inside a VMM the guest
// may have compromised, so every size it announces is checked against these before use.

/// The widest and tallest framebuffer Airlock shows.
inline constexpr int maximumWidth = 8192;
/// See maximumWidth.
inline constexpr int maximumHeight = 8192;
/// The most memory one framebuffer may take (32 bits per pixel).
inline constexpr std::int64_t maximumFrameBytes = std::int64_t {256} * 1024 * 1024;
/// Characters of the desktop name kept (libvncclient already refuses names above 1 MiB).
inline constexpr int maximumNameLength = 256;
/// Shortest interval between two frameUpdated signals (about 60 per second).
inline constexpr int minimumUpdateIntervalMs = 16;
/// Input events queued for a server that stopped reading; more are dropped.
inline constexpr int maximumQueuedInput = 4096;

} // namespace app::displaylimits
