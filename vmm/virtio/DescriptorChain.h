#pragma once

#include "memory/GuestAddress.h"

#include <cstdint>
#include <span>
#include <vector>

namespace vmm {

/// One descriptor of a chain, copied once out of the guest's table and already resolved onto
/// guest RAM: `bytes` is the host view of [address, address + bytes.size()).
struct Descriptor {
    GuestAddress address;
    std::span<uint8_t> bytes;
    bool writable = false;
};

/// A chain the guest made available, validated by Queue::pop() (virtio 1.1 §2.6.5): at most
/// queue-size descriptors, every one inside RAM, device-readable ones before device-writable
/// ones. Devices use only this copy, never the guest's table again (no double fetch). The bytes
/// themselves stay shared with the guest, which may change them at any time.
class DescriptorChain {
public:
    /// The index of the head descriptor, the id that Queue::addUsed() completes.
    uint16_t head() const { return m_head; }
    /// Every descriptor, readable ones first.
    std::span<const Descriptor> descriptors() const { return m_descriptors; }
    /// The leading device-readable descriptors.
    std::span<const Descriptor> readable() const
    {
        return std::span<const Descriptor>(m_descriptors).first(m_readableCount);
    }
    /// The trailing device-writable descriptors.
    std::span<const Descriptor> writable() const
    {
        return std::span<const Descriptor>(m_descriptors).subspan(m_readableCount);
    }
    /// Total bytes of the readable descriptors.
    uint64_t readableLength() const { return m_readableLength; }
    /// Total bytes of the writable descriptors.
    uint64_t writableLength() const { return m_writableLength; }

    /// Copies readable bytes from `offset` (counted across the readable descriptors) into
    /// `destination`; returns how many were copied (fewer when the readable part ends).
    size_t copyFromReadable(uint64_t offset, std::span<uint8_t> destination) const;
    /// Copies `source` into the writable bytes from `offset`; returns how many were copied.
    size_t copyToWritable(uint64_t offset, std::span<const uint8_t> source) const;

private:
    friend class Queue;
    DescriptorChain(uint16_t head, std::vector<Descriptor> descriptors);

    uint16_t m_head = 0;
    std::vector<Descriptor> m_descriptors;
    size_t m_readableCount = 0;
    uint64_t m_readableLength = 0;
    uint64_t m_writableLength = 0;
};

} // namespace vmm
