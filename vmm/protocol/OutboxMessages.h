#pragma once

#include "Frame.h"
#include "sys/Result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace vmm {

/// A path inside /outbox as the protocol carries it: relative, '/'-separated, 1..4096 bytes of
/// UTF-8, no empty, "." or ".." component, no NUL. The host checks it again before it writes
/// anything under a staging folder.
class OutboxPath {
public:
    static constexpr size_t kMaxBytes = 4096;
    /// Ok when `path` is such a path; the error says what is wrong.
    static Result<void> validate(std::string_view path);
};

/// One file of the outbox listing (MessageKind::OutboxEntry, one frame per file, then
/// OutboxListEnd). JSON: {"path": OutboxPath, "size": u64, "sha256": 64 lowercase hex digits,
/// "mtimeNs": i64 nanoseconds since the epoch}.
struct OutboxEntry {
    std::string path;
    uint64_t size = 0;
    std::string sha256;
    int64_t mtimeNs = 0;

    Frame toFrame() const;
    static Result<OutboxEntry> fromJson(const nlohmann::json& json);
};

/// The end of a listing (MessageKind::OutboxListEnd). JSON: {"count": files listed, "skipped":
/// entries left out (symlinks, devices, unreadable, names not UTF-8, past the caps)}.
struct OutboxListEnd {
    uint64_t count = 0;
    uint64_t skipped = 0;

    Frame toFrame() const;
    static Result<OutboxListEnd> fromJson(const nlohmann::json& json);
};

/// Fetch one file (MessageKind::OutboxFetchRequest). JSON: {"path": OutboxPath}.
/// The answer: OutboxFileBegin, OutboxFileChunk frames (payload = bytes, JSON {"offset": u64}),
/// OutboxFileEnd; or an Error.
struct OutboxFetchRequest {
    std::string path;

    Frame toFrame() const;
    static Result<OutboxFetchRequest> fromJson(const nlohmann::json& json);
};

/// A fetch starts (MessageKind::OutboxFileBegin). JSON: {"path": OutboxPath, "size": u64 at open}.
struct OutboxFileBegin {
    std::string path;
    uint64_t size = 0;

    Frame toFrame() const;
    static Result<OutboxFileBegin> fromJson(const nlohmann::json& json);
};

/// A fetch ends (MessageKind::OutboxFileEnd). JSON: {"size": bytes sent, "sha256": of the bytes
/// sent}. The client hashes what it received and compares.
struct OutboxFileEnd {
    uint64_t size = 0;
    std::string sha256;

    Frame toFrame() const;
    static Result<OutboxFileEnd> fromJson(const nlohmann::json& json);
};

/// The largest payload of an OutboxFileChunk.
inline constexpr size_t kOutboxChunkBytes = 256 * 1024;

} // namespace vmm
