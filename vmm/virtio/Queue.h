#pragma once

#include "DescriptorChain.h"
#include "GuestErrorLog.h"
#include "memory/GuestAddress.h"
#include "memory/GuestMemory.h"
#include "sys/Result.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vmm {

/// A split virtqueue (virtio 1.1 §2.6), seen from the device. The host chooses the maximum size;
/// the driver chooses the size and ring addresses through the transport, then the transport
/// enables the queue, which checks the rings once and keeps their host views. From then on
/// pop() and addUsed() run on the device thread only.
///
/// Guest mistakes never reach host memory: each chain is validated as it is popped (see
/// DescriptorChain), an invalid chain is completed with length 0 by the queue itself, and an
/// available index that runs more than size() entries ahead, or a head index out of range or
/// already in flight, marks the queue broken: it yields nothing until reset (the transport then
/// sets DEVICE_NEEDS_RESET). VIRTIO_F_INDIRECT_DESC and VIRTIO_F_EVENT_IDX are not offered.
class Queue {
public:
    /// `maxSize` is host-owned: a power of two, 1..32768 (callers pass constants).
    explicit Queue(uint16_t maxSize);

    uint16_t maxSize() const { return m_maxSize; }
    uint16_t size() const { return m_size; }
    /// Sets the driver's queue size; refuses (false) zero, non-powers of two and sizes > max.
    bool setSize(uint32_t size);
    void setDescriptorTable(GuestAddress address) { m_descriptorTable = address; }
    void setAvailRing(GuestAddress address) { m_availRing = address; }
    void setUsedRing(GuestAddress address) { m_usedRing = address; }
    GuestAddress descriptorTable() const { return m_descriptorTable; }
    GuestAddress availRing() const { return m_availRing; }
    GuestAddress usedRing() const { return m_usedRing; }

    /// Checks that the three rings are aligned (16, 2, 4) and lie in RAM, and makes the queue
    /// ready. Fails, leaving it not ready, otherwise.
    Result<void> enable(const GuestMemory& memory);
    bool isReady() const { return m_ready; }
    /// QueueReady = 0 before activation: not ready, configuration kept.
    void disable() { m_ready = false; }
    /// Whether the guest broke the queue's rules; it then yields nothing until reset().
    bool isBroken() const { return m_broken; }
    /// Back to the state after construction (not ready, size = max, addresses 0).
    void reset();

    /// The next valid chain the driver made available, or nothing (none pending, or broken).
    std::optional<DescriptorChain> pop();
    /// Whether the driver has made a chain available that pop() has not taken.
    bool hasPending() const;
    /// Completes popped `head` with `length` bytes written (clamped to the chain's writable
    /// length). Fails, changing nothing, for a head that is not in flight: each head is
    /// completed exactly once.
    Result<void> addUsed(uint16_t head, uint32_t length);
    /// Whether used buffers were added since the last call and the driver wants an interrupt
    /// for them (VIRTQ_AVAIL_F_NO_INTERRUPT clear, §2.6.7). Clears the "added" mark.
    bool needsInterrupt();

    /// Asks the driver not to notify (VIRTQ_USED_F_NO_NOTIFY, §2.6.7.2) while the device drains
    /// the queue anyway; a hint the driver may ignore, so notifications stay harmless.
    void suppressNotifications();
    /// Asks for notifications again and returns whether chains arrived meanwhile (the driver
    /// may have skipped its notification for them, so the device must look again).
    bool resumeNotifications();

    /// Chains popped and not yet completed.
    uint32_t inFlight() const { return m_inFlightCount; }
    /// Chains the queue refused and completed with length 0.
    uint64_t invalidChains() const { return m_invalidChains; }

private:
    Result<DescriptorChain> walkChain(uint16_t head) const;
    uint16_t loadAvailIndex() const;
    void complete(uint16_t head, uint32_t length);
    void markBroken(const std::string& reason);

    uint16_t m_maxSize;
    uint16_t m_size;
    GuestAddress m_descriptorTable;
    GuestAddress m_availRing;
    GuestAddress m_usedRing;
    bool m_ready = false;
    bool m_broken = false;

    const GuestMemory* m_memory = nullptr;
    // Host views of the rings, resolved once by enable(); every index into them is taken modulo
    // m_size or checked against it.
    std::span<uint8_t> m_descriptors;
    std::span<uint8_t> m_avail;
    std::span<uint8_t> m_used;

    uint16_t m_nextAvail = 0; // the device's own copies: never read back from guest memory
    uint16_t m_nextUsed = 0;
    bool m_usedAdded = false;
    std::vector<uint32_t> m_writableByHead; // writable length of each head in flight
    std::vector<bool> m_headInFlight;
    uint32_t m_inFlightCount = 0;
    uint64_t m_invalidChains = 0;
    GuestErrorLog m_log {"virtqueue"};
};

} // namespace vmm
