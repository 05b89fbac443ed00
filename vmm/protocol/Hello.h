#pragma once

#include "Frame.h"
#include "sys/Result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace vmm {

/// A protocol's version: peers must share the major version; the minor one only adds fields
/// and messages that an older peer ignores or refuses with an "unsupported" Error.
struct ProtocolVersion {
    uint32_t major = 0;
    uint32_t minor = 0;
};

/// The first frame each side sends on a channel (MessageKind::Hello): which protocol, which
/// version, and which program. JSON: {"protocol": str, "major": u32, "minor": u32,
/// "software": str}.
struct Hello {
    std::string protocol;
    ProtocolVersion version;
    std::string software;

    nlohmann::json toJson() const;
    /// The Hello frame.
    Frame toFrame() const;
    /// Validates every field of a peer's Hello.
    static Result<Hello> fromJson(const nlohmann::json& json);

    /// Whether a peer that sent `peer` can be served by a side speaking `protocol` at `ours`:
    /// the same protocol name and major version. The error says both versions.
    static Result<void> checkCompatible(
        const Hello& peer, std::string_view protocol, ProtocolVersion ours);
};

} // namespace vmm
