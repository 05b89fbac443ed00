#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <vector>

namespace vmm {

/// Guest console bytes on their way from the vCPU threads (which must never block on the app) to
/// the control channel's loop: a bounded byte queue; what does not fit is counted, not kept.
/// Thread-safe.
class ConsoleBuffer {
public:
    explicit ConsoleBuffer(size_t capacity)
        : m_capacity(capacity)
    {
    }

    /// Keeps what fits of `bytes`, counts the rest as dropped. True when the buffer was empty
    /// before and held nothing dropped (the reader needs waking).
    bool append(std::span<const uint8_t> bytes);

    /// What take() returns: up to the requested bytes, and how many were dropped since the
    /// previous take().
    struct Taken {
        std::vector<uint8_t> bytes;
        uint64_t dropped = 0;
    };
    /// Removes and returns at most `maxBytes`.
    Taken take(size_t maxBytes);
    /// Whether bytes or a drop count wait.
    bool hasPending() const;
    /// Bytes dropped since creation.
    uint64_t totalDropped() const;

private:
    mutable std::mutex m_mutex;
    size_t m_capacity;
    std::deque<uint8_t> m_bytes;
    uint64_t m_droppedSinceTake = 0;
    uint64_t m_droppedTotal = 0;
};

} // namespace vmm
