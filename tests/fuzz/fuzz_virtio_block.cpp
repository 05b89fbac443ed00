// Fuzzes virtio-blk requests through the MMIO transport against an in-memory disk: request
// types, sectors, header and status sizes, and data buffers all come from the input. Whatever
// arrives, every chain is completed exactly once, the backend is only called with ranges inside
// the disk and whole sectors, and a read-only disk is never written.

#include "MemoryBlockBackend.h"
#include "VirtqueueDriver.h"
#include "memory/GuestMemory.h"
#include "virtio/MmioTransport.h"
#include "virtio/block/BlockDevice.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fuzzer/FuzzedDataProvider.h>
#include <memory>
#include <set>
#include <vector>

using namespace vmm;

namespace {

constexpr uint64_t kRamSize = 4 << 20;
constexpr uint64_t kDiskSize = 16 * 1024;
constexpr uint64_t kDataEnd = kRamSize - 64 * 1024; // leave room for the last allocation
constexpr uint32_t kTypes[] = {0, 1, 4, 8, 11, 13};

const GuestMemory& memory()
{
    static GuestMemory instance =
        GuestMemory::create({GuestRegion {GuestAddress(0), kRamSize}}).value();
    return instance;
}

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    FuzzedDataProvider input(data, size);
    const GuestMemory& ram = memory();
    static const std::vector<uint8_t> zeros(0x8000, 0);
    (void)ram.write(
        GuestAddress(0x10000), zeros); // the rings (VirtqueueDriver's layout) start clean

    bool readOnly = input.ConsumeBool();
    auto backend = std::make_shared<MemoryBlockBackend>(kDiskSize, readOnly);
    auto device = std::make_shared<BlockDevice>(backend, "airlock-fuzz");
    auto transport = MmioTransport::create(device, ram);
    if (!transport)
        __builtin_trap();
    VirtqueueDriver driver(ram, **transport);
    check(driver.initialize(uint64_t {1} << 9));

    std::set<uint16_t> outstanding;
    uint64_t next = 0x100000;
    for (int batch = 0; batch < 4 && input.remaining_bytes() > 0; ++batch) {
        for (int request = 0; request < 32 && input.remaining_bytes() > 0 && next < kDataEnd;
             ++request) {
            uint32_t type = input.ConsumeBool() ? kTypes[input.ConsumeIntegralInRange<size_t>(0, 5)]
                                                : input.ConsumeIntegral<uint32_t>();
            uint64_t sector = input.ConsumeBool()
                ? input.ConsumeIntegralInRange<uint64_t>(0, kDiskSize / 512 + 4)
                : input.ConsumeIntegral<uint64_t>();
            uint32_t headerLength =
                input.ConsumeBool() ? 16 : input.ConsumeIntegralInRange<uint32_t>(0, 32);
            std::vector<VirtqueueDriver::Buffer> chain;
            uint8_t header[32] = {};
            std::memcpy(header, &type, 4);
            std::memcpy(header + 8, &sector, 8);
            uint64_t headerAddress = driver.allocate(32);
            driver.write(headerAddress, header);
            if (headerLength > 0)
                chain.push_back({headerAddress, headerLength, false});
            bool dataWritable = type != 1;
            if (input.ConsumeBool() && input.ConsumeBool())
                dataWritable = !dataWritable;
            int segments = input.ConsumeIntegralInRange(0, 4);
            for (int i = 0; i < segments; ++i) {
                uint32_t length = input.ConsumeBool()
                    ? 512u * input.ConsumeIntegralInRange<uint32_t>(0, 8)
                    : input.ConsumeIntegralInRange<uint32_t>(0, 5000);
                chain.push_back({driver.allocate(length, 1), length, dataWritable});
            }
            uint32_t statusLength =
                input.ConsumeBool() ? 1 : input.ConsumeIntegralInRange<uint32_t>(0, 3);
            if (statusLength > 0)
                chain.push_back({driver.allocate(statusLength, 1), statusLength, true});
            if (chain.empty())
                continue;
            outstanding.insert(driver.addChain(0, chain));
            next = driver.allocate(0);
        }
        driver.notify(0);
        while (auto used = driver.takeUsed(0)) {
            check(outstanding.erase(static_cast<uint16_t>(used->id)) == 1); // completed once
        }
        check(outstanding.empty()); // and every chain was completed
    }
    check(backend->contractViolations == 0);
    check(!readOnly || backend->writes == 0);
    return 0;
}
