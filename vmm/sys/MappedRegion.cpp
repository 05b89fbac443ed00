#include "MappedRegion.h"

#include <cerrno>

#include <sys/mman.h>

namespace vmm {

Result<MappedRegion> MappedRegion::map(size_t size, int protection, int flags, int fd, off_t offset)
{
    void* address = ::mmap(nullptr, size, protection, flags, fd, offset);
    if (address == MAP_FAILED)
        return failure(Error::fromErrno("mmap", errno));
    return MappedRegion(address, size);
}

Result<MappedRegion> MappedRegion::mapAnonymousAligned(
    size_t size, size_t alignment, int protection, int flags)
{
    size_t reserved = 0;
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 ||
        __builtin_add_overflow(size, alignment, &reserved))
        return failure(Error::fromErrno("mmap", EINVAL, "bad size or alignment"));
    void* address =
        ::mmap(nullptr, reserved, protection, flags | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (address == MAP_FAILED)
        return failure(Error::fromErrno("mmap", errno));
    // Keep the aligned part; give back the head and the tail of the reservation.
    uintptr_t start = reinterpret_cast<uintptr_t>(address);
    uintptr_t aligned = (start + alignment - 1) & ~(uintptr_t {alignment} - 1);
    size_t head = aligned - start;
    if (head > 0)
        ::munmap(address, head);
    if (reserved - head - size > 0)
        ::munmap(reinterpret_cast<void*>(aligned + size), reserved - head - size);
    // Safety: [aligned, aligned + size) lies inside the mapping just made, which this object now
    // owns alone.
    return MappedRegion(reinterpret_cast<void*>(aligned), size);
}

void MappedRegion::reset()
{
    if (m_address)
        ::munmap(m_address, m_size);
    m_address = nullptr;
    m_size = 0;
}

} // namespace vmm
