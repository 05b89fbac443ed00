#include "Queue.h"

#include "VirtioSpec.h"

#include <atomic>
#include <cstdio>
#include <cstring>

namespace vmm {

namespace {

// virtio 1.1 §2.6.5: struct virtq_desc, little-endian like the host (x86_64 only).
struct [[gnu::packed]] RawDescriptor {
    uint64_t address;
    uint32_t length;
    uint16_t flags;
    uint16_t next;
};
static_assert(sizeof(RawDescriptor) == 16);

// §2.6.8: struct virtq_used_elem.
struct UsedElement {
    uint32_t id;
    uint32_t length;
};
static_assert(sizeof(UsedElement) == 8);

// Byte offsets inside the rings (§2.6.6, §2.6.8): flags, idx, then the ring entries.
constexpr size_t kRingFlagsOffset = 0;
constexpr size_t kRingIndexOffset = 2;
constexpr size_t kRingEntriesOffset = 4;

constexpr uint64_t descriptorTableBytes(uint16_t size)
{
    return uint64_t {16} * size;
}
constexpr uint64_t availRingBytes(uint16_t size)
{
    return 6 + uint64_t {2} * size; // flags, idx, ring[size], used_event
}
constexpr uint64_t usedRingBytes(uint16_t size)
{
    return 6 + uint64_t {8} * size; // flags, idx, ring[size], avail_event
}

// A 16-bit ring field shared with the guest, read or written as one atomic access. The field's
// guest address is 2-aligned (checked by enable()) and guest RAM is mapped page-aligned, so the
// host address is 2-aligned too.
std::atomic_ref<uint16_t> sharedField(std::span<uint8_t> ring, size_t offset)
{
    // Safety: `offset + 2 <= ring.size()` at every call (fixed offsets into a ring of at least
    // 6 bytes), and the pointer is 2-aligned as explained above.
    return std::atomic_ref<uint16_t>(*reinterpret_cast<uint16_t*>(ring.data() + offset));
}

std::string describe(const char* format, uint64_t first, uint64_t second = 0)
{
    char text[128];
    std::snprintf(text, sizeof text, format, static_cast<unsigned long long>(first),
        static_cast<unsigned long long>(second));
    return text;
}

} // namespace

Queue::Queue(uint16_t maxSize)
    : m_maxSize(maxSize)
    , m_size(maxSize)
{
}

bool Queue::setSize(uint32_t size)
{
    // §2.6: "Queue Size value is always a power of 2", at most 32768 and at most our maximum.
    if (size == 0 || size > m_maxSize || (size & (size - 1)) != 0)
        return false;
    m_size = static_cast<uint16_t>(size);
    return true;
}

Result<void> Queue::enable(const GuestMemory& memory)
{
    // §2.6 table "Virtqueue Part / Alignment / Size".
    if (m_descriptorTable.value() % 16 || m_availRing.value() % 2 || m_usedRing.value() % 4)
        return failure(Error::invalid("virtqueue", "ring address is not aligned"));
    auto descriptors = memory.slice(m_descriptorTable, descriptorTableBytes(m_size));
    auto avail = memory.slice(m_availRing, availRingBytes(m_size));
    auto used = memory.slice(m_usedRing, usedRingBytes(m_size));
    if (!descriptors || !avail || !used)
        return failure(Error::invalid("virtqueue", "ring is not in guest RAM"));
    if (reinterpret_cast<uintptr_t>(avail->data()) % 2 ||
        reinterpret_cast<uintptr_t>(used->data()) % 4)
        return failure(Error::invalid("virtqueue", "ring is not aligned in host memory"));
    m_memory = &memory;
    m_descriptors = *descriptors;
    m_avail = *avail;
    m_used = *used;
    m_nextAvail = 0;
    m_nextUsed = 0;
    m_usedAdded = false;
    m_writableByHead.assign(m_size, 0);
    m_headInFlight.assign(m_size, false);
    m_inFlightCount = 0;
    m_broken = false;
    // The used ring is the device's: start it from a known state (§2.6.8).
    sharedField(m_used, kRingFlagsOffset).store(0, std::memory_order_relaxed);
    sharedField(m_used, kRingIndexOffset).store(0, std::memory_order_release);
    m_ready = true;
    return {};
}

void Queue::reset()
{
    // Counters and the log's rate limit survive a reset, so a guest cannot reset its way past it.
    m_size = m_maxSize;
    m_descriptorTable = m_availRing = m_usedRing = GuestAddress();
    m_ready = false;
    m_broken = false;
    m_memory = nullptr;
    m_descriptors = m_avail = m_used = {};
    m_nextAvail = m_nextUsed = 0;
    m_usedAdded = false;
    m_writableByHead.clear();
    m_headInFlight.clear();
    m_inFlightCount = 0;
}

uint16_t Queue::loadAvailIndex() const
{
    // Acquire: the ring entries and descriptors the driver wrote before idx are visible after.
    return sharedField(m_avail, kRingIndexOffset).load(std::memory_order_acquire);
}

bool Queue::hasPending() const
{
    return m_ready && !m_broken && loadAvailIndex() != m_nextAvail;
}

std::optional<DescriptorChain> Queue::pop()
{
    if (!m_ready || m_broken)
        return std::nullopt;
    // Invalid chains are completed here and skipped; at most m_size of them per call, so that a
    // guest refilling the ring cannot keep the device thread in this loop.
    for (uint32_t skipped = 0; skipped <= m_size; ++skipped) {
        uint16_t availIndex = loadAvailIndex();
        uint16_t pending = static_cast<uint16_t>(availIndex - m_nextAvail);
        if (pending == 0)
            return std::nullopt;
        if (pending > m_size) {
            markBroken(describe(
                "available index runs %llu entries ahead of a %llu-entry queue", pending, m_size));
            return std::nullopt;
        }
        size_t slot = kRingEntriesOffset + size_t {2} * (m_nextAvail % m_size);
        uint16_t head = 0;
        std::memcpy(&head, m_avail.data() + slot, sizeof head);
        if (head >= m_size) {
            markBroken(describe("head index %llu is outside a %llu-entry queue", head, m_size));
            return std::nullopt;
        }
        if (m_headInFlight[head]) {
            markBroken(describe("head index %llu is made available while still in flight", head));
            return std::nullopt;
        }
        ++m_nextAvail;
        m_headInFlight[head] = true;
        ++m_inFlightCount;
        auto chain = walkChain(head);
        if (chain) {
            m_writableByHead[head] =
                static_cast<uint32_t>(std::min<uint64_t>(chain->writableLength(), UINT32_MAX));
            return std::move(*chain);
        }
        ++m_invalidChains;
        m_log.report(chain.error().detail());
        complete(head, 0);
    }
    return std::nullopt;
}

Result<DescriptorChain> Queue::walkChain(uint16_t head) const
{
    std::vector<Descriptor> descriptors;
    uint16_t index = head;
    bool sawWritable = false;
    // §2.6.5.2: a chain has at most Queue Size descriptors, so a loop ends here.
    for (uint32_t count = 0;; ++count) {
        if (count == m_size)
            return failure(Error::invalid("virtqueue",
                describe(
                    "chain from head %llu is longer than the %llu-entry queue", head, m_size)));
        if (index >= m_size)
            return failure(Error::invalid("virtqueue",
                describe("descriptor index %llu is outside a %llu-entry queue", index, m_size)));
        // One copy of the descriptor; only the copy is used from here on (no double fetch).
        RawDescriptor raw {};
        std::memcpy(&raw, m_descriptors.data() + size_t {16} * index, sizeof raw);
        if (raw.flags & virtio::kDescriptorFlagIndirect)
            return failure(Error::invalid("virtqueue", "indirect descriptor (never offered)"));
        bool writable = (raw.flags & virtio::kDescriptorFlagWrite) != 0;
        if (sawWritable && !writable)
            return failure(Error::invalid("virtqueue", "readable descriptor after a writable one"));
        sawWritable = writable;
        auto bytes = m_memory->slice(GuestAddress(raw.address), raw.length);
        if (!bytes)
            return failure(
                Error::invalid("virtqueue", "descriptor buffer " + bytes.error().detail()));
        descriptors.push_back(Descriptor {GuestAddress(raw.address), *bytes, writable});
        if (!(raw.flags & virtio::kDescriptorFlagNext))
            break;
        index = raw.next;
    }
    return DescriptorChain(head, std::move(descriptors));
}

Result<void> Queue::addUsed(uint16_t head, uint32_t length)
{
    if (!m_ready || head >= m_size || !m_headInFlight[head])
        return failure(Error::invalid("virtqueue", describe("head %llu is not in flight", head)));
    complete(head, std::min(length, m_writableByHead[head]));
    return {};
}

void Queue::complete(uint16_t head, uint32_t length)
{
    m_headInFlight[head] = false;
    m_writableByHead[head] = 0;
    --m_inFlightCount;
    UsedElement element {head, length};
    size_t slot = kRingEntriesOffset + sizeof(UsedElement) * (m_nextUsed % m_size);
    std::memcpy(m_used.data() + slot, &element, sizeof element);
    ++m_nextUsed;
    // Release: the element (and the buffer contents) are visible before the new idx (§2.6.8).
    sharedField(m_used, kRingIndexOffset).store(m_nextUsed, std::memory_order_release);
    m_usedAdded = true;
}

void Queue::suppressNotifications()
{
    if (m_ready)
        sharedField(m_used, kRingFlagsOffset)
            .store(virtio::kUsedFlagNoNotify, std::memory_order_relaxed);
}

bool Queue::resumeNotifications()
{
    if (!m_ready)
        return false;
    sharedField(m_used, kRingFlagsOffset).store(0, std::memory_order_relaxed);
    // The flag store must be visible before we read the driver's idx: a driver that added a chain
    // after our last look and saw the flag still set did not notify (§2.6.7.2).
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return hasPending();
}

bool Queue::needsInterrupt()
{
    if (!m_ready || !m_usedAdded)
        return false;
    m_usedAdded = false;
    // Our used idx store must be ordered before reading the driver's flags, or we could miss a
    // driver that just re-enabled interrupts (§2.6.7).
    std::atomic_thread_fence(std::memory_order_seq_cst);
    uint16_t flags = sharedField(m_avail, kRingFlagsOffset).load(std::memory_order_relaxed);
    return (flags & virtio::kAvailFlagNoInterrupt) == 0;
}

void Queue::markBroken(const std::string& reason)
{
    m_broken = true;
    m_log.report(reason + "; the queue stops until the driver resets the device");
}

} // namespace vmm
