#pragma once

#include "memory/GuestMemory.h"
#include "sys/Result.h"

namespace vmm::x86_64 {

/// Page-table entry bits (Intel SDM vol. 3 §4.5).
inline constexpr uint64_t kPagePresent = 1ull << 0;
inline constexpr uint64_t kPageWritable = 1ull << 1;
inline constexpr uint64_t kPageSize2MiB = 1ull << 7;

/// Writes 4-level tables identity-mapping the first kIdentityMappedGiB GiB with 2 MiB pages
/// (PML4 at kPml4Address), which the 64-bit boot protocol requires for the kernel, the zero page
/// and the command line. Returns the value for CR3.
Result<uint64_t> writeIdentityPageTables(const GuestMemory& memory);

} // namespace vmm::x86_64
