#pragma once

#include "sys/Result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace vmm {

/// A few pages for secrets (the scratch key): anonymous memory, locked against swapping where
/// RLIMIT_MEMLOCK allows, left out of core dumps, zero in any forked child (MADV_WIPEONFORK), and
/// wiped with OPENSSL_cleanse on wipe() and on destruction. Move-only.
class SecureBuffer {
public:
    /// Maps `size` bytes (rounded up to whole pages; at most kMaximumSize).
    static Result<SecureBuffer> create(size_t size);

    static constexpr size_t kMaximumSize = 64 * 1024;

    SecureBuffer() = default;
    ~SecureBuffer() { reset(); }
    SecureBuffer(SecureBuffer&& other) noexcept
        : m_address(std::exchange(other.m_address, nullptr))
        , m_size(std::exchange(other.m_size, 0))
        , m_mappedSize(std::exchange(other.m_mappedSize, 0))
        , m_locked(std::exchange(other.m_locked, false))
    {
    }
    SecureBuffer& operator=(SecureBuffer&& other) noexcept;
    SecureBuffer(const SecureBuffer&) = delete;
    SecureBuffer& operator=(const SecureBuffer&) = delete;

    /// The `size` bytes asked for (the rest of the last page is not part of the span).
    std::span<uint8_t> bytes() const { return {m_address, m_size}; }
    size_t size() const { return m_size; }
    /// Whether mlock succeeded (false when RLIMIT_MEMLOCK did not allow it: the pages may swap).
    bool isLocked() const { return m_locked; }

    /// Overwrites every mapped byte with zeroes (OPENSSL_cleanse: not optimised away).
    void wipe();
    /// Whether every mapped byte is zero (how a wipe is verified).
    bool isAllZero() const;
    /// Wipes, unlocks and unmaps.
    void reset();

private:
    SecureBuffer(uint8_t* address, size_t size, size_t mappedSize, bool locked)
        : m_address(address)
        , m_size(size)
        , m_mappedSize(mappedSize)
        , m_locked(locked)
    {
    }

    uint8_t* m_address = nullptr;
    size_t m_size = 0;
    size_t m_mappedSize = 0;
    bool m_locked = false;
};

} // namespace vmm
