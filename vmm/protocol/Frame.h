#pragma once

#include "MessageKind.h"

#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmm {

/// The fixed part of every frame, little-endian: magic "AL" (2 bytes), kind (u16), JSON header
/// length (u32), payload length (u32). The JSON object and then the payload follow.
inline constexpr size_t kFrameHeaderSize = 12;
/// The first two bytes of every frame; a stream that loses its place fails on the next frame.
inline constexpr uint8_t kFrameMagic[2] = {'A', 'L'};
/// Hard caps, checked before anything is allocated for a frame.
inline constexpr size_t kMaxFrameJsonLength = 64 * 1024;
inline constexpr size_t kMaxFramePayloadLength = 1024 * 1024;
/// Deepest nesting of arrays and objects accepted in a JSON header.
inline constexpr size_t kMaxFrameJsonDepth = 16;

/// One message on a stream: what it is, its fields (a JSON object) and raw bytes without base64.
struct Frame {
    uint16_t kind = 0;
    nlohmann::json header = nlohmann::json::object();
    std::vector<uint8_t> payload;

    /// Whether this frame is of `messageKind`.
    bool is(MessageKind messageKind) const { return kind == toWire(messageKind); }
};

/// A frame of `kind` with `header` (an object) and `payload`.
inline Frame makeFrame(MessageKind kind, nlohmann::json header = nlohmann::json::object(),
    std::vector<uint8_t> payload = {})
{
    return Frame {toWire(kind), std::move(header), std::move(payload)};
}

} // namespace vmm
