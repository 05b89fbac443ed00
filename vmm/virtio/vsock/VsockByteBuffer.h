#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vmm {

/// A FIFO of bytes with a fixed capacity: what one vsock connection holds for a host socket that
/// is not writable. Storage grows only as far as bytes are actually held (never past the
/// capacity) and is released when the buffer drains.
class VsockByteBuffer {
public:
    explicit VsockByteBuffer(size_t capacity)
        : m_capacity(capacity)
    {
    }

    size_t size() const { return m_end - m_begin; }
    bool empty() const { return m_begin == m_end; }
    size_t capacity() const { return m_capacity; }
    size_t freeSpace() const { return m_capacity - size(); }

    /// `count` writable bytes at the tail to fill before commit(); empty when they do not fit.
    std::span<uint8_t> reserve(size_t count);
    /// Makes `count` bytes of the last reserve() part of the buffer.
    void commit(size_t count) { m_end += count; }
    /// The oldest held bytes (contiguous).
    std::span<const uint8_t> front() const
    {
        return std::span<const uint8_t>(m_storage).subspan(m_begin, size());
    }
    /// Drops `count` bytes from the front.
    void consume(size_t count);
    /// Drops everything and releases the storage.
    void clear();

private:
    size_t m_capacity;
    std::vector<uint8_t> m_storage;
    size_t m_begin = 0;
    size_t m_end = 0;
};

} // namespace vmm
