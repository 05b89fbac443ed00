#pragma once

#include "Hello.h"

#include <cstdint>
#include <string_view>

namespace vmm {

/// The vsock port the guest agent (airlock-guest) listens on, any CID.
inline constexpr uint32_t kAgentPort = 1024;
/// The protocol name in the agent's Hello.
inline constexpr std::string_view kAgentProtocolName = "airlock-agent";
/// The agent protocol's version (docs: /work/briefs/agent-protocol.md).
inline constexpr ProtocolVersion kAgentProtocolVersion {1, 1}; // 1.1: MountDatasetRequest
/// The largest payload of a StdinData, StdoutData or StderrData frame the agent sends; it
/// accepts up to kMaxFramePayloadLength.
inline constexpr size_t kAgentStreamChunkBytes = 64 * 1024;

} // namespace vmm
