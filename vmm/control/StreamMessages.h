#pragma once

#include "ControlProtocol.h"
#include "sys/Result.h"

#include <cstdint>
#include <string>

namespace vmm {

/// A relayed stream's number, chosen by the app (1..2^32-1), unique among its open streams.
using StreamId = uint32_t;

/// Open a stream (ControlKind::StreamOpen): a host-initiated vsock connection to guest port
/// `port`, or (target Display, protocol 1.2) a connection to the session's VNC server.
/// JSON: {"stream": 1..2^32-1, "port": 1..2^32-2} or {"stream", "target": "display"}.
struct StreamOpen {
    enum class Target { Guest, Display };

    StreamId stream = 0;
    uint32_t port = 0; ///< Guest only
    Target target = Target::Guest;

    Frame toFrame() const;
    static Result<StreamOpen> fromJson(const nlohmann::json& json);
};

/// A message about one stream and nothing else: stream-opened, stream-data (with its payload),
/// stream-end, stream-close. JSON: {"stream": 1..2^32-1}.
struct StreamReference {
    StreamId stream = 0;

    /// The frame of `kind` about this stream.
    Frame toFrame(ControlKind kind, std::vector<uint8_t> payload = {}) const;
    static Result<StreamReference> fromJson(const nlohmann::json& json);
};

/// The stream is gone (ControlKind::StreamClosed): after the other side's stream-close, after
/// both sides ended, or on failure ("error", absent when it ended cleanly). JSON: {"stream",
/// "error": str optional}.
struct StreamClosed {
    static constexpr size_t kMaxErrorBytes = 4096;

    StreamId stream = 0;
    std::string error;

    Frame toFrame() const;
    static Result<StreamClosed> fromJson(const nlohmann::json& json);
};

/// Credit returned (ControlKind::StreamAck): the sender of this message consumed `bytes` more
/// of the stream's data. JSON: {"stream", "bytes": 1..kStreamWindowBytes}.
struct StreamAck {
    StreamId stream = 0;
    uint32_t bytes = 0;

    Frame toFrame() const;
    static Result<StreamAck> fromJson(const nlohmann::json& json);
};

} // namespace vmm
