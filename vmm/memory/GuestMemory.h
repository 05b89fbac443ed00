#pragma once

#include "GuestAddress.h"
#include "sys/MappedRegion.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

namespace vmm {

/// What GuestMemory::shred() did, for the shred report.
struct MemoryShredResult {
    uint64_t totalBytes = 0;
    /// Bytes the guest had touched (pages resident or swapped out), each zeroed with
    /// explicit_bzero.
    uint64_t zeroedBytes = 0;
    /// Every zeroed page read back as zero.
    bool verifiedZero = false;
    /// The pages were then released (MADV_DONTNEED), and none is resident afterwards.
    bool released = false;
};

/// One contiguous range of guest RAM.
struct GuestRegion {
    GuestAddress start;
    uint64_t size = 0;
};

/// Guest RAM: one private anonymous mapping, cut into regions at guest-physical addresses. It is
/// 2 MiB-aligned and advised for transparent huge pages, so that KVM maps guest RAM with 2 MiB
/// pages (far fewer nested page faults and TLB misses: guest I/O runs up to twice as fast as on
/// 4 KiB pages; QEMU's RAM gets the same). Excluded from core dumps, wiped in a forked child, and
/// locked as it is faulted in where RLIMIT_MEMLOCK allows. Every access is bounds-checked and
/// resolves to RAM only (STYLE.md §9 and §Engine safety).
class GuestMemory {
public:
    /// Creates RAM for `regions` (page-aligned, sorted, not overlapping).
    static Result<GuestMemory> create(const std::vector<GuestRegion>& regions);

    const std::vector<GuestRegion>& regions() const { return m_regions; }
    /// Total bytes of RAM.
    uint64_t size() const { return m_mapping.size(); }
    /// Whether mlock2(MLOCK_ONFAULT) succeeded (false when the limit did not allow it).
    bool isLocked() const { return m_locked; }

    /// The host bytes behind [address, address + length), which must lie inside one region.
    Result<std::span<uint8_t>> slice(GuestAddress address, uint64_t length) const;
    /// The host address where a region starts, for KVM_SET_USER_MEMORY_REGION.
    uint8_t* hostAddress(const GuestRegion& region) const;

    /// Zeroes every page the guest touched (resident or swapped out, from /proc/self/pagemap),
    /// checks that it reads back as zero, and releases the pages (DESIGN.md §Shredding). Call
    /// only when no vCPU or device runs any more.
    Result<MemoryShredResult> shred();
    /// Bytes of guest RAM resident now (mincore), for the metrics.
    uint64_t residentBytes() const;

    Result<void> read(GuestAddress address, std::span<uint8_t> destination) const;
    Result<void> write(GuestAddress address, std::span<const uint8_t> source) const;

    /// Copies a T out of guest memory (one copy; use only the copy: no double fetch).
    template<typename T> Result<T> readObject(GuestAddress address) const
    {
        static_assert(std::is_trivially_copyable_v<T>);
        T object;
        // Safety: T is trivially copyable, so its bytes may be written directly.
        std::span<uint8_t> bytes(reinterpret_cast<uint8_t*>(&object), sizeof(T));
        VMM_TRY(read(address, bytes));
        return object;
    }
    /// Copies a T into guest memory.
    template<typename T> Result<void> writeObject(GuestAddress address, const T& object) const
    {
        static_assert(std::is_trivially_copyable_v<T>);
        // Safety: T is trivially copyable, so its bytes may be read directly.
        std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(&object), sizeof(T));
        return write(address, bytes);
    }

private:
    GuestMemory(UniqueFd pagemap, MappedRegion mapping, std::vector<GuestRegion> regions,
        std::vector<uint64_t> offsets, bool locked);

    UniqueFd m_pagemap; // /proc/self/pagemap, opened before any sandbox, for shred()
    MappedRegion m_mapping;
    std::vector<GuestRegion> m_regions;
    std::vector<uint64_t> m_offsets; // where each region starts inside the mapping
    bool m_locked = false;
};

} // namespace vmm
