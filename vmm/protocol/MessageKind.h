#pragma once

#include <cstdint>
#include <string_view>

namespace vmm {

/// Frame kinds. 0x0001-0x00ff are common to every channel, 0x0100-0x01ff are the guest agent's,
/// 0x0200-0x02ff are reserved for the app <-> airlock-vmm control channel.
enum class MessageKind : uint16_t {
    Hello = 0x0001,
    Error = 0x0002,

    ExecRequest = 0x0100,
    ExecStarted = 0x0101,
    StdinData = 0x0102,
    StdinEnd = 0x0103,
    StdoutData = 0x0104,
    StderrData = 0x0105,
    ExecSignal = 0x0106,
    ExecExited = 0x0107,

    OutboxListRequest = 0x0110,
    OutboxEntry = 0x0111,
    OutboxListEnd = 0x0112,
    OutboxFetchRequest = 0x0113,
    OutboxFileBegin = 0x0114,
    OutboxFileChunk = 0x0115,
    OutboxFileEnd = 0x0116,

    MetricsRequest = 0x0120,
    Metrics = 0x0121,

    ShutdownRequest = 0x0130,
    ShutdownAccepted = 0x0131,

    MountDatasetRequest = 0x0140,
    MountDatasetDone = 0x0141,
};

/// The kind's name as the protocol document spells it ("ExecRequest"), or "unknown".
std::string_view messageKindName(uint16_t kind);

/// The frame kind as it goes on the wire.
constexpr uint16_t toWire(MessageKind kind)
{
    return static_cast<uint16_t>(kind);
}

} // namespace vmm
