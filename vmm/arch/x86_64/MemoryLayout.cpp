#include "MemoryLayout.h"

#include "Layout.h"

namespace vmm::x86_64 {

static constexpr uint64_t kMinimumMemory = 32ull << 20;
static constexpr uint64_t kMaximumMemory = 1ull << 40; // 1 TiB: far above any workstation

Result<std::vector<GuestRegion>> ramRegions(uint64_t memorySize)
{
    if (memorySize < kMinimumMemory)
        return failure(Error::invalid("memory size", "at least 32 MiB of guest memory is needed"));
    if (memorySize > kMaximumMemory)
        return failure(Error::invalid("memory size", "more than 1 TiB of guest memory"));
    if (memorySize % (2ull << 20))
        return failure(Error::invalid("memory size", "must be a multiple of 2 MiB"));

    std::vector<GuestRegion> regions;
    if (memorySize <= kMmioHoleStart) {
        regions.push_back({ GuestAddress(0), memorySize });
    } else {
        regions.push_back({ GuestAddress(0), kMmioHoleStart });
        regions.push_back({ GuestAddress(kMmioHoleEnd), memorySize - kMmioHoleStart });
    }
    return regions;
}

std::vector<E820Entry> e820Map(const std::vector<GuestRegion>& regions)
{
    std::vector<E820Entry> map;
    map.push_back({ 0, kLowRamEnd, kE820Ram });
    map.push_back({ kLowRamEnd, kKernelLoadAddress.value() - kLowRamEnd, kE820Reserved });
    for (const GuestRegion& region : regions) {
        uint64_t start = region.start.value();
        uint64_t end = start + region.size;
        if (start < kKernelLoadAddress.value())
            start = kKernelLoadAddress.value();
        if (end > start)
            map.push_back({ start, end - start, kE820Ram });
    }
    return map;
}

} // namespace vmm::x86_64
