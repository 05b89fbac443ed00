#include "PageTables.h"

#include "Layout.h"

#include <array>

namespace vmm::x86_64 {

static constexpr uint64_t kEntriesPerTable = 512;
static constexpr uint64_t kTableSize = 4096;

Result<uint64_t> writeIdentityPageTables(const GuestMemory& memory)
{
    std::array<uint64_t, kEntriesPerTable> pml4 {};
    pml4[0] = kPdptAddress.value() | kPagePresent | kPageWritable;
    VMM_TRY(memory.writeObject(kPml4Address, pml4));

    std::array<uint64_t, kEntriesPerTable> pdpt {};
    for (uint64_t gib = 0; gib < kIdentityMappedGiB; ++gib)
        pdpt[gib] = (kPageDirectoryAddress.value() + gib * kTableSize) | kPagePresent | kPageWritable;
    VMM_TRY(memory.writeObject(kPdptAddress, pdpt));

    for (uint64_t gib = 0; gib < kIdentityMappedGiB; ++gib) {
        std::array<uint64_t, kEntriesPerTable> directory {};
        for (uint64_t i = 0; i < kEntriesPerTable; ++i) {
            uint64_t physical = (gib << 30) | (i << 21);
            directory[i] = physical | kPagePresent | kPageWritable | kPageSize2MiB;
        }
        VMM_TRY(memory.writeObject(kPageDirectoryAddress.unchecked(gib * kTableSize), directory));
    }
    return kPml4Address.value();
}

} // namespace vmm::x86_64
