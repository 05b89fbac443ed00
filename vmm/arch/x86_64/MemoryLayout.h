#pragma once

#include "memory/GuestMemory.h"
#include "sys/Result.h"

#include <cstdint>
#include <vector>

namespace vmm::x86_64 {

/// One entry of the BIOS-style E820 memory map handed to the kernel.
struct E820Entry {
    uint64_t address;
    uint64_t size;
    uint32_t type;
};
inline constexpr uint32_t kE820Ram = 1;
inline constexpr uint32_t kE820Reserved = 2;

/// Guest RAM regions for `memorySize` bytes: below the 3 GiB MMIO hole, the rest above 4 GiB.
Result<std::vector<GuestRegion>> ramRegions(uint64_t memorySize);

/// The E820 map describing `regions` (as made by ramRegions) to the kernel.
std::vector<E820Entry> e820Map(const std::vector<GuestRegion>& regions);

} // namespace vmm::x86_64
