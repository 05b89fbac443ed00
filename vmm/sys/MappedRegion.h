#pragma once

#include "Result.h"

#include <cstddef>
#include <cstdint>
#include <utility>

namespace vmm {

/// Owns one mmap()ed range and unmaps it; move-only.
class MappedRegion {
public:
    MappedRegion() = default;
    ~MappedRegion() { reset(); }

    MappedRegion(MappedRegion&& other) noexcept
        : m_address(std::exchange(other.m_address, nullptr))
        , m_size(std::exchange(other.m_size, 0))
    {
    }
    MappedRegion& operator=(MappedRegion&& other) noexcept
    {
        if (this != &other) {
            reset();
            m_address = std::exchange(other.m_address, nullptr);
            m_size = std::exchange(other.m_size, 0);
        }
        return *this;
    }
    MappedRegion(const MappedRegion&) = delete;
    MappedRegion& operator=(const MappedRegion&) = delete;

    /// mmap(nullptr, size, protection, flags, fd, offset).
    static Result<MappedRegion> map(
        size_t size, int protection, int flags, int fd, off_t offset = 0);
    /// Private anonymous memory of `size` bytes starting at a multiple of `alignment` (a power of
    /// two, e.g. 2 MiB so that the kernel can back it with huge pages that KVM maps whole).
    static Result<MappedRegion> mapAnonymousAligned(
        size_t size, size_t alignment, int protection, int flags);

    uint8_t* data() const { return static_cast<uint8_t*>(m_address); }
    size_t size() const { return m_size; }
    void reset();

private:
    MappedRegion(void* address, size_t size)
        : m_address(address)
        , m_size(size)
    {
    }
    void* m_address = nullptr;
    size_t m_size = 0;
};

} // namespace vmm
