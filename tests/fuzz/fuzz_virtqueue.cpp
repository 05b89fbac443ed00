// Fuzzes the split virtqueue: the input is guest RAM (descriptor table, avail ring and the bytes
// they point at) plus a few choices (queue size, avail index moves, completion lengths). pop()
// and addUsed() must never crash, never resolve a buffer outside guest RAM, never yield a chain
// longer than the queue, and complete each head at most once.

#include "memory/GuestMemory.h"
#include "virtio/Queue.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fuzzer/FuzzedDataProvider.h>
#include <optional>
#include <vector>

using namespace vmm;

namespace {

constexpr uint64_t kLowSize = 64 * 1024; // RAM [0, 64 KiB) and [1 MiB, 1 MiB + 4 KiB)
constexpr uint64_t kHighStart = 1 << 20;
constexpr uint64_t kHighSize = 4096;

const GuestMemory& memory()
{
    static GuestMemory instance = GuestMemory::create(
        {GuestRegion {GuestAddress(0), kLowSize},
            GuestRegion {GuestAddress(kHighStart),
                kHighSize}}).value();
    return instance;
}

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

// Whether `descriptor` is exactly the guest RAM it claims to be.
bool resolvesToRam(const Descriptor& descriptor)
{
    auto expected = memory().slice(descriptor.address, descriptor.bytes.size());
    return expected && expected->data() == descriptor.bytes.data();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    FuzzedDataProvider input(data, size);
    const GuestMemory& ram = memory();
    uint16_t queueSize = static_cast<uint16_t>(1u << input.ConsumeIntegralInRange(0, 8));
    // Ring addresses: usually the fixed layout, sometimes wherever the input says.
    uint64_t table = 0x0000;
    uint64_t avail = 0x1000;
    uint64_t used = 0x2000;
    if (input.ConsumeBool()) {
        table = input.ConsumeIntegral<uint64_t>();
        avail = input.ConsumeIntegral<uint64_t>();
        used = input.ConsumeIntegral<uint64_t>();
    }
    std::vector<uint8_t> low(kLowSize, 0);
    std::vector<uint8_t> high(kHighSize, 0);
    std::vector<uint8_t> ramBytes = input.ConsumeBytes<uint8_t>(kLowSize);
    if (!ramBytes.empty())
        std::memcpy(low.data(), ramBytes.data(), ramBytes.size());
    (void)ram.write(GuestAddress(0), low);
    (void)ram.write(GuestAddress(kHighStart), high);

    Queue queue(256);
    if (!queue.setSize(queueSize))
        __builtin_trap();
    queue.setDescriptorTable(GuestAddress(table));
    queue.setAvailRing(GuestAddress(avail));
    queue.setUsedRing(GuestAddress(used));
    if (!queue.enable(ram))
        return 0;

    std::vector<uint16_t> held; // popped, not yet completed
    for (int round = 0; round < 8 && input.remaining_bytes() > 0; ++round) {
        // The guest moves its avail index (possibly far ahead) between rounds.
        if (input.ConsumeBool()) {
            uint16_t index = input.ConsumeIntegral<uint16_t>();
            // Safety: a uint16_t is 2 trivially copyable bytes.
            (void)ram.write(
                GuestAddress(avail + 2), std::span(reinterpret_cast<uint8_t*>(&index), 2));
        }
        for (int pops = 0; pops < 2 * queueSize + 2; ++pops) {
            std::optional<DescriptorChain> chain = queue.pop();
            if (!chain)
                break;
            check(chain->head() < queueSize);
            check(chain->descriptors().size() <= queueSize);
            bool sawWritable = false;
            for (const Descriptor& descriptor : chain->descriptors()) {
                check(resolvesToRam(descriptor));
                check(!(sawWritable && !descriptor.writable));
                sawWritable = descriptor.writable;
                // Touch every byte: ASan reports any that is not ours.
                if (!descriptor.bytes.empty())
                    descriptor.bytes[descriptor.bytes.size() - 1] ^= descriptor.bytes[0];
            }
            held.push_back(chain->head());
        }
        // Complete some of what is held, sometimes twice (the second must fail).
        while (!held.empty() && input.ConsumeBool()) {
            uint16_t head = held.back();
            held.pop_back();
            check(static_cast<bool>(queue.addUsed(head, input.ConsumeIntegral<uint32_t>())));
            check(!queue.addUsed(head, 0));
        }
        (void)queue.needsInterrupt();
        check(queue.inFlight() == held.size());
    }
    // Heads never popped are refused.
    check(!queue.addUsed(static_cast<uint16_t>(queueSize), 0));
    return 0;
}
