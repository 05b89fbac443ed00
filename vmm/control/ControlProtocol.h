#pragma once

#include "protocol/Frame.h"
#include "protocol/Hello.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vmm {

/// The control channel between the app and airlock-vmm: its name in Hello and its version.
inline constexpr std::string_view kControlProtocolName = "airlock-control";
inline constexpr ProtocolVersion kControlProtocolVersion {1, 2}; // 1.1: add-dataset; 1.2: display streams

/// Frame kinds of the control channel (0x0200-0x02ff); Hello and Error are the common ones.
/// App -> VMM commands carry an "id" answered by one Reply; streams and events carry none.
enum class ControlKind : uint16_t {
    Reply = 0x0200, ///< VMM -> app: {id, ok, error?, status?, metrics?, dataset?}

    Status = 0x0201, ///< {id}
    Pause = 0x0202, ///< {id}
    Resume = 0x0203, ///< {id}
    Stop = 0x0204, ///< {id, force?}
    ConsoleInput = 0x0205, ///< {id} + payload
    MetricsRequest = 0x0206, ///< {id}
    SubscribeMetrics = 0x0207, ///< {id, intervalMs: 0 (off) or >= 250}
    AddDataset = 0x0208, ///< {id, name, path, grant}: answered once mounted in the guest

    StreamOpen = 0x0220, ///< app -> VMM {stream, port}
    StreamOpened = 0x0221, ///< VMM -> app {stream}
    StreamData = 0x0222, ///< both ways {stream} + payload
    StreamEnd = 0x0223, ///< both ways {stream}: no more data this way (half close)
    StreamClose = 0x0224, ///< app -> VMM {stream}: drop the stream now
    StreamClosed = 0x0225, ///< VMM -> app {stream, error?}: the stream is gone
    StreamAck = 0x0226, ///< both ways {stream, bytes}: credit returned

    State = 0x0240, ///< {state}
    ConsoleOutputBytes = 0x0241, ///< {} + payload
    ConsoleDropped = 0x0242, ///< {bytes, totalBytes}
    GuestExit = 0x0243, ///< {kind, exitCode, description}
    Metrics = 0x0244, ///< HostMetrics
    ShredReport = 0x0245, ///< {report: object}
    DatasetManifest = 0x0246, ///< {name, digest, fileCount, totalBytes}
    DatasetVerify = 0x0247, ///< {name, changed[], vanished[], added[]}
};

/// The kind as it goes on the wire.
constexpr uint16_t toWire(ControlKind kind)
{
    return static_cast<uint16_t>(kind);
}

/// Whether `frame` is of `kind`.
inline bool isKind(const Frame& frame, ControlKind kind)
{
    return frame.kind == toWire(kind);
}

/// A control frame of `kind`.
inline Frame makeControlFrame(ControlKind kind, nlohmann::json header = nlohmann::json::object(),
    std::vector<uint8_t> payload = {})
{
    return Frame {toWire(kind), std::move(header), std::move(payload)};
}

/// The kind's name as this protocol spells it ("stream-open"), or "unknown".
std::string_view controlKindName(uint16_t kind);

/// Bytes one side may send on a stream before the other acknowledges them.
inline constexpr size_t kStreamWindowBytes = 256 * 1024;
/// The largest payload of one stream-data or console-input frame.
inline constexpr size_t kMaxStreamChunkBytes = 64 * 1024;
/// Streams open at once on one control channel, at most.
inline constexpr size_t kMaxStreams = 32;
/// The shortest metrics subscription interval.
inline constexpr uint32_t kMinMetricsIntervalMs = 250;
/// The longest metrics subscription interval (a day).
inline constexpr uint32_t kMaxMetricsIntervalMs = 86'400'000;

} // namespace vmm
