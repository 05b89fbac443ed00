#include "GuestMemory.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#include <sys/mman.h>

namespace vmm {

static constexpr uint64_t kPageSize = 4096;
static constexpr size_t kHugePageSize = 2u << 20;
// /proc/self/pagemap, one 64-bit entry per page (Documentation/admin-guide/mm/pagemap.rst).
static constexpr uint64_t kPagemapPresent = 1ull << 63;
static constexpr uint64_t kPagemapSwapped = 1ull << 62;

GuestMemory::GuestMemory(UniqueFd pagemap, MappedRegion mapping, std::vector<GuestRegion> regions,
    std::vector<uint64_t> offsets, bool locked)
    : m_pagemap(std::move(pagemap))
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
            return failure(
                Error::invalid("guest memory", "regions must be non-empty and page-aligned"));
        if (!region.start.checkedAdd(region.size))
            return failure(Error::invalid("guest memory", "region wraps the address space"));
        if (i > 0 && regions[i - 1].start.value() + regions[i - 1].size > region.start.value())
            return failure(Error::invalid("guest memory", "regions overlap or are not sorted"));
        offsets.push_back(total);
        if (__builtin_add_overflow(total, region.size, &total))
            return failure(Error::invalid("guest memory", "total size overflows"));
    }

    // Opened now: once the process is sandboxed it can open nothing under /proc.
    int fd = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return failure(
            Error::fromErrno("open /proc/self/pagemap", errno, "needed to shred guest RAM"));
    UniqueFd pagemap(fd);
    auto mapping = VMM_TRY(MappedRegion::mapAnonymousAligned(
        static_cast<size_t>(total), kHugePageSize, PROT_READ | PROT_WRITE, MAP_NORESERVE));
    // Guest RAM holds the session's data: never in a core dump of this process, never in a child.
    if (::madvise(mapping.data(), mapping.size(), MADV_DONTDUMP) < 0)
        return failure(Error::fromErrno("madvise(MADV_DONTDUMP)", errno));
    if (::madvise(mapping.data(), mapping.size(), MADV_WIPEONFORK) < 0)
        return failure(Error::fromErrno("madvise(MADV_WIPEONFORK)", errno));
    // Huge pages where the host allows them (THP "always" or "madvise"); a host with THP off
    // still works, on 4 KiB pages.
    (void)::madvise(mapping.data(), mapping.size(), MADV_HUGEPAGE);
    // Never swapped either, where the limit allows: lock pages as the guest faults them in, so
    // boot does not pay for populating all of RAM up front.
    bool locked = ::mlock2(mapping.data(), mapping.size(), MLOCK_ONFAULT) == 0;
    return GuestMemory(std::move(pagemap), std::move(mapping), regions, std::move(offsets), locked);
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

// Residency per page, from mincore().
static Result<std::vector<unsigned char>> residentPages(const MappedRegion& mapping)
{
    std::vector<unsigned char> resident((mapping.size() + kPageSize - 1) / kPageSize);
    if (::mincore(mapping.data(), mapping.size(), resident.data()) < 0)
        return failure(Error::fromErrno("mincore", errno, "finding resident guest RAM"));
    return resident;
}

static bool isAllZero(std::span<const uint8_t> bytes)
{
    return std::all_of(bytes.begin(), bytes.end(), [](uint8_t byte) { return byte == 0; });
}

uint64_t GuestMemory::residentBytes() const
{
    auto resident = residentPages(m_mapping);
    if (!resident)
        return 0;
    return kPageSize *
        static_cast<uint64_t>(std::count_if(
            resident->begin(), resident->end(), [](unsigned char flag) { return flag & 1; }));
}

Result<MemoryShredResult> GuestMemory::shred()
{
    MemoryShredResult result;
    result.totalBytes = m_mapping.size();
    if (m_mapping.size() == 0)
        return result;
    // The pages ever touched are present or swapped out in pagemap; the untouched rest are
    // neither. Zero exactly those, in runs, so that a page sent to swap is zeroed too.
    constexpr size_t kEntriesPerRead = 8192;
    std::vector<uint64_t> entries(kEntriesPerRead);
    const uint64_t pages = m_mapping.size() / kPageSize;
    const uint64_t firstEntry = reinterpret_cast<uintptr_t>(m_mapping.data()) / kPageSize;
    result.verifiedZero = true;
    auto zeroRun = [&](uint64_t firstPage, uint64_t pageCount) {
        std::span<uint8_t> bytes(
            m_mapping.data() + firstPage * kPageSize, static_cast<size_t>(pageCount * kPageSize));
        ::explicit_bzero(bytes.data(), bytes.size());
        result.verifiedZero = result.verifiedZero && isAllZero(bytes);
        result.zeroedBytes += bytes.size();
    };
    uint64_t runStart = 0;
    uint64_t runLength = 0;
    for (uint64_t page = 0; page < pages; page += kEntriesPerRead) {
        size_t count = static_cast<size_t>(std::min<uint64_t>(kEntriesPerRead, pages - page));
        size_t wanted = count * sizeof(uint64_t);
        ssize_t got = ::pread(m_pagemap.get(), entries.data(), wanted,
            static_cast<off_t>((firstEntry + page) * sizeof(uint64_t)));
        if (got != static_cast<ssize_t>(wanted))
            return failure(Error::fromErrno(
                "pread /proc/self/pagemap", got < 0 ? errno : EIO, "finding guest RAM to zero"));
        for (size_t index = 0; index < count; ++index) {
            if (entries[index] & (kPagemapPresent | kPagemapSwapped)) {
                if (runLength == 0)
                    runStart = page + index;
                ++runLength;
            } else if (runLength > 0) {
                zeroRun(runStart, runLength);
                runLength = 0;
            }
        }
    }
    if (runLength > 0)
        zeroRun(runStart, runLength);
    // Give the (now zero) pages back at once rather than at munmap (locked pages cannot be
    // dropped: unlock first), and check that none stays resident.
    if (m_locked && ::munlock(m_mapping.data(), m_mapping.size()) < 0)
        return failure(Error::fromErrno("munlock", errno, "releasing guest RAM"));
    if (::madvise(m_mapping.data(), m_mapping.size(), MADV_DONTNEED) < 0)
        return failure(Error::fromErrno("madvise(MADV_DONTNEED)", errno, "releasing guest RAM"));
    std::vector<unsigned char> after = VMM_TRY(residentPages(m_mapping));
    result.released =
        std::none_of(after.begin(), after.end(), [](unsigned char flag) { return flag & 1; });
    return result;
}

} // namespace vmm
