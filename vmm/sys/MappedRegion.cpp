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

void MappedRegion::reset()
{
    if (m_address)
        ::munmap(m_address, m_size);
    m_address = nullptr;
    m_size = 0;
}

} // namespace vmm
