#include "GuestMemory.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <unistd.h>

namespace vmm {

static constexpr uint64_t kPageSize = 4096;

GuestMemory::GuestMemory(UniqueFd fd, MappedRegion mapping, std::vector<GuestRegion> regions,
    std::vector<uint64_t> offsets, bool locked)
    : m_fd(std::move(fd))
    , m_mapping(std::move(mapping))
    , m_regions(std::move(regions))
    , m_offsets(std::move(offsets))
    , m_locked(locked)
{
}

Result<GuestMemory> GuestMemory::create(const std::vector<GuestRegion>& regions)
{
    if (regions.empty())
        return failure(Error::invalid("guest memory", "no RAM regions"));
    uint64_t total = 0;
    std::vector<uint64_t> offsets;
    for (size_t i = 0; i < regions.size(); ++i) {
        const GuestRegion& region = regions[i];
        if (region.size == 0 || region.size % kPageSize || region.start.value() % kPageSize)
            return failure(Error::invalid("guest memory", "regions must be non-empty and page-aligned"));
        if (!region.start.checkedAdd(region.size))
            return failure(Error::invalid("guest memory", "region wraps the address space"));
        if (i > 0 && regions[i - 1].start.value() + regions[i - 1].size > region.start.value())
            return failure(Error::invalid("guest memory", "regions overlap or are not sorted"));
        offsets.push_back(total);
        if (__builtin_add_overflow(total, region.size, &total))
            return failure(Error::invalid("guest memory", "total size overflows"));
    }

    int fd = ::memfd_create("airlock-guest-ram", MFD_CLOEXEC);
    if (fd < 0)
        return failure(Error::fromErrno("memfd_create", errno));
    UniqueFd memoryFd(fd);
    if (::ftruncate(fd, static_cast<off_t>(total)) < 0)
        return failure(Error::fromErrno("ftruncate", errno, "sizing guest RAM"));
    auto mapping = VMM_TRY(MappedRegion::map(static_cast<size_t>(total), PROT_READ | PROT_WRITE,
        MAP_SHARED | MAP_NORESERVE, fd));
    // Guest RAM holds the session's data: never in a core dump of this process.
    if (::madvise(mapping.data(), mapping.size(), MADV_DONTDUMP) < 0)
        return failure(Error::fromErrno("madvise(MADV_DONTDUMP)", errno));
    // Never swapped either, where the limit allows: lock pages as the guest faults them in, so
    // boot does not pay for populating all of RAM up front.
    bool locked = ::mlock2(mapping.data(), mapping.size(), MLOCK_ONFAULT) == 0;
    return GuestMemory(std::move(memoryFd), std::move(mapping), regions, std::move(offsets), locked);
}

Result<std::span<uint8_t>> GuestMemory::slice(GuestAddress address, uint64_t length) const
{
    auto end = address.checkedAdd(length);
    if (!end)
        return failure(Error::invalid("guest memory", "address range overflows"));
    for (size_t i = 0; i < m_regions.size(); ++i) {
        const GuestRegion& region = m_regions[i];
        uint64_t regionEnd = region.start.value() + region.size;
        if (address.value() >= region.start.value() && end->value() <= regionEnd) {
            uint64_t offset = m_offsets[i] + (address.value() - region.start.value());
            return std::span<uint8_t>(m_mapping.data() + offset, static_cast<size_t>(length));
        }
    }
    char text[96];
    std::snprintf(text, sizeof text, "range %#llx+%#llx is not guest RAM",
        static_cast<unsigned long long>(address.value()), static_cast<unsigned long long>(length));
    return failure(Error::invalid("guest memory", text));
}

uint8_t* GuestMemory::hostAddress(const GuestRegion& region) const
{
    for (size_t i = 0; i < m_regions.size(); ++i) {
        if (m_regions[i].start == region.start)
            return m_mapping.data() + m_offsets[i];
    }
    return nullptr;
}

Result<void> GuestMemory::read(GuestAddress address, std::span<uint8_t> destination) const
{
    if (destination.empty())
        return {}; // memcpy with a null pointer is undefined even for zero bytes
    auto source = VMM_TRY(slice(address, destination.size()));
    std::memcpy(destination.data(), source.data(), destination.size());
    return {};
}

Result<void> GuestMemory::write(GuestAddress address, std::span<const uint8_t> source) const
{
    if (source.empty())
        return {};
    auto destination = VMM_TRY(slice(address, source.size()));
    std::memcpy(destination.data(), source.data(), source.size());
    return {};
}

// Residency per page, from mincore(): the pages the guest has touched. For a shared memfd mapping
// this is the memfd's page cache, so it also covers pages touched through another mapping (KVM's).
static Result<std::vector<unsigned char>> residentPages(const MappedRegion& mapping)
{
    std::vector<unsigned char> resident((mapping.size() + kPageSize - 1) / kPageSize);
    if (::mincore(mapping.data(), mapping.size(), resident.data()) < 0)
        return failure(Error::fromErrno("mincore", errno, "finding guest RAM pages to zero"));
    return resident;
}

static bool isAllZero(std::span<const uint8_t> bytes)
{
    return std::all_of(bytes.begin(), bytes.end(), [](uint8_t byte) { return byte == 0; });
}

Result<MemoryShredResult> GuestMemory::shred()
{
    MemoryShredResult result;
    result.totalBytes = m_mapping.size();
    if (m_mapping.size() == 0)
        return result;
    // shmem reports the pages ever allocated as data (resident or swapped out) and the untouched
    // rest as holes: zero exactly the data, so a page sent to swap is zeroed too.
    const off_t size = static_cast<off_t>(m_mapping.size());
    result.verifiedZero = true;
    off_t start = ::lseek(m_fd.get(), 0, SEEK_DATA);
    while (start >= 0 && start < size) {
        off_t end = ::lseek(m_fd.get(), start, SEEK_HOLE);
        if (end < 0)
            return failure(Error::fromErrno("lseek(SEEK_HOLE)", errno, "finding guest RAM to zero"));
        end = std::min(end, size);
        std::span<uint8_t> bytes(m_mapping.data() + start, static_cast<size_t>(end - start));
        ::explicit_bzero(bytes.data(), bytes.size());
        result.verifiedZero = result.verifiedZero && isAllZero(bytes);
        result.zeroedBytes += bytes.size();
        start = ::lseek(m_fd.get(), end, SEEK_DATA);
    }
    if (start < 0 && errno != ENXIO)
        return failure(Error::fromErrno("lseek(SEEK_DATA)", errno, "finding guest RAM to zero"));
    // Give the (now zero) pages back at once rather than at munmap, and check none stays resident.
    if (::fallocate(m_fd.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, size) < 0)
        return failure(Error::fromErrno("fallocate(PUNCH_HOLE)", errno, "releasing guest RAM"));
    std::vector<unsigned char> after = VMM_TRY(residentPages(m_mapping));
    result.released = std::none_of(after.begin(), after.end(), [](unsigned char flag) { return flag & 1; });
    return result;
}

} // namespace vmm
