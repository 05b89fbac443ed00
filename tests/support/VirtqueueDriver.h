#pragma once

// A test-only guest driver for the virtio-mmio transport (STYLE.md §11, like rust-vmm's mock
// driver): it lays out split queues in a plain GuestMemory, programs the transport through its
// registers in the order Linux's virtio_mmio driver does, adds descriptor chains, notifies, and
// reads back the used ring and the interrupt status. Qt-free, so that fuzzers can use it too.
// Every accessor writes guest memory the way a guest would: nothing here is validated.

#include "memory/GuestMemory.h"
#include "sys/EventLoop.h"
#include "virtio/MmioTransport.h"
#include "virtio/VirtioSpec.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <poll.h>
#include <span>
#include <vector>

class VirtqueueDriver {
public:
    /// One buffer of a chain: guest address, length, and whether the device may write it.
    struct Buffer {
        uint64_t address = 0;
        uint32_t length = 0;
        bool writable = false;
    };
    /// One used-ring element.
    struct Used {
        uint32_t id = 0;
        uint32_t length = 0;
    };
    /// Where a queue's rings lie in guest memory.
    struct Layout {
        uint64_t descriptors = 0;
        uint64_t avail = 0;
        uint64_t used = 0;
        uint16_t size = 0;
    };

    /// Rings are laid out from `ringBase` (32 KiB per queue, queue sizes up to 1024), buffers
    /// from allocate() after `dataBase`. `loop`, when given, runs the device after notify().
    VirtqueueDriver(const vmm::GuestMemory& memory, vmm::MmioTransport& transport,
        vmm::EventLoop* loop = nullptr, uint64_t ringBase = 0x10000, uint64_t dataBase = 0x100000)
        : m_memory(memory)
        , m_transport(transport)
        , m_loop(loop)
        , m_ringBase(ringBase)
        , m_nextData(dataBase)
    {
    }

    // --- registers -------------------------------------------------------------------------

    uint32_t read32(uint64_t offset)
    {
        uint32_t value = 0;
        // Safety: a uint32_t is 4 trivially copyable bytes.
        m_transport.read(offset, std::span(reinterpret_cast<uint8_t*>(&value), 4));
        return value;
    }
    void write32(uint64_t offset, uint32_t value)
    {
        // Safety: as in read32().
        m_transport.write(offset, std::span(reinterpret_cast<const uint8_t*>(&value), 4));
    }
    /// Reads `length` bytes of configuration space at `offset` with one access.
    std::vector<uint8_t> readConfig(uint64_t offset, size_t length)
    {
        std::vector<uint8_t> bytes(length);
        m_transport.read(vmm::MmioTransport::kConfig + offset, bytes);
        return bytes;
    }
    uint64_t deviceFeatures()
    {
        write32(vmm::MmioTransport::kDeviceFeaturesSel, 1);
        uint64_t high = read32(vmm::MmioTransport::kDeviceFeatures);
        write32(vmm::MmioTransport::kDeviceFeaturesSel, 0);
        return high << 32 | read32(vmm::MmioTransport::kDeviceFeatures);
    }
    uint32_t status() { return read32(vmm::MmioTransport::kStatus); }
    /// ORs `bits` into Status, as virtio_add_status() does.
    void addStatus(uint32_t bits) { write32(vmm::MmioTransport::kStatus, status() | bits); }
    void reset() { write32(vmm::MmioTransport::kStatus, 0); }

    /// Negotiates `features` (written as given, so tests can offer bad ones); true when the
    /// device kept FEATURES_OK.
    bool negotiate(uint64_t features)
    {
        using namespace vmm::virtio;
        reset();
        addStatus(kStatusAcknowledge);
        addStatus(kStatusDriver);
        write32(vmm::MmioTransport::kDriverFeaturesSel, 1);
        write32(vmm::MmioTransport::kDriverFeatures, static_cast<uint32_t>(features >> 32));
        write32(vmm::MmioTransport::kDriverFeaturesSel, 0);
        write32(vmm::MmioTransport::kDriverFeatures, static_cast<uint32_t>(features));
        addStatus(kStatusFeaturesOk);
        return (status() & kStatusFeaturesOk) != 0;
    }
    /// Sets up queue `index` with `size` entries (0: QueueNumMax) at its default layout; false
    /// when the device has no such queue. Does not check that the device accepted it.
    bool setupQueue(uint32_t index, uint16_t size = 0)
    {
        using T = vmm::MmioTransport;
        write32(T::kQueueSel, index);
        if (read32(T::kQueueReady) != 0)
            return false;
        uint32_t max = read32(T::kQueueNumMax);
        if (max == 0)
            return false;
        Layout layout = defaultLayout(index, size ? size : static_cast<uint16_t>(max));
        return setupQueueAt(index, layout);
    }
    /// Sets up queue `index` at `layout`, as vm_setup_vq() does.
    bool setupQueueAt(uint32_t index, Layout layout)
    {
        using T = vmm::MmioTransport;
        write32(T::kQueueSel, index);
        write32(T::kQueueNum, layout.size);
        write32(T::kQueueDescLow, static_cast<uint32_t>(layout.descriptors));
        write32(T::kQueueDescHigh, static_cast<uint32_t>(layout.descriptors >> 32));
        write32(T::kQueueDriverLow, static_cast<uint32_t>(layout.avail));
        write32(T::kQueueDriverHigh, static_cast<uint32_t>(layout.avail >> 32));
        write32(T::kQueueDeviceLow, static_cast<uint32_t>(layout.used));
        write32(T::kQueueDeviceHigh, static_cast<uint32_t>(layout.used >> 32));
        write32(T::kQueueReady, 1);
        if (m_queues.size() <= index)
            m_queues.resize(index + 1);
        m_queues[index] = QueueState {layout, 0, 0, 0};
        return read32(T::kQueueReady) == 1;
    }
    /// The whole probe: negotiate VERSION_1 (and `extraFeatures`), set up every queue at its
    /// maximum size, DRIVER_OK. True when the device is live.
    bool initialize(uint64_t extraFeatures = 0)
    {
        using namespace vmm::virtio;
        if (!negotiate(featureBit(kFeatureVersion1) | extraFeatures))
            return false;
        for (uint32_t index = 0; index < m_transport.queueCount(); ++index) {
            if (!setupQueue(index))
                return false;
        }
        addStatus(kStatusDriverOk);
        runDevice(); // the transport kicks every queue at DRIVER_OK
        return (status() & kStatusDriverOk) && !(status() & kStatusDeviceNeedsReset);
    }

    /// Where queue `index` of `size` entries goes by default.
    Layout defaultLayout(uint32_t index, uint16_t size) const
    {
        uint64_t base = m_ringBase + uint64_t {index} * 0x8000;
        return Layout {base, base + 0x4000, base + 0x5000, size};
    }
    const Layout& layout(uint32_t queue) const { return m_queues.at(queue).layout; }

    // --- rings -----------------------------------------------------------------------------

    /// Writes descriptor `index` of `queue` as given.
    void writeDescriptor(uint32_t queue, uint16_t index, uint64_t address, uint32_t length,
        uint16_t flags, uint16_t next)
    {
        uint8_t raw[16];
        std::memcpy(raw, &address, 8);
        std::memcpy(raw + 8, &length, 4);
        std::memcpy(raw + 12, &flags, 2);
        std::memcpy(raw + 14, &next, 2);
        write(layout(queue).descriptors + uint64_t {16} * index, raw);
    }
    /// Puts `head` in the next avail slot and moves the avail index on.
    void publish(uint32_t queue, uint16_t head)
    {
        QueueState& state = m_queues.at(queue);
        uint64_t slot = state.layout.avail + 4 + 2 * uint64_t(state.availIndex % state.layout.size);
        write16(slot, head);
        ++state.availIndex;
        write16(state.layout.avail + 2, state.availIndex);
    }
    /// Writes the avail index directly (tests of a driver that lies).
    void setAvailIndex(uint32_t queue, uint16_t index)
    {
        m_queues.at(queue).availIndex = index;
        write16(layout(queue).avail + 2, index);
    }
    void setAvailFlags(uint32_t queue, uint16_t flags) { write16(layout(queue).avail, flags); }
    /// Writes `buffers` as a chain in the next free descriptors and publishes it; returns the head.
    uint16_t addChain(uint32_t queue, const std::vector<Buffer>& buffers)
    {
        QueueState& state = m_queues.at(queue);
        uint16_t size = state.layout.size;
        uint16_t head = static_cast<uint16_t>(state.nextDescriptor % size);
        for (size_t i = 0; i < buffers.size(); ++i) {
            uint16_t index = static_cast<uint16_t>((state.nextDescriptor + i) % size);
            uint16_t next = static_cast<uint16_t>((state.nextDescriptor + i + 1) % size);
            uint16_t flags = static_cast<uint16_t>(
                (buffers[i].writable ? vmm::virtio::kDescriptorFlagWrite : 0) |
                (i + 1 < buffers.size() ? vmm::virtio::kDescriptorFlagNext : 0));
            writeDescriptor(queue, index, buffers[i].address, buffers[i].length, flags, next);
        }
        state.nextDescriptor =
            static_cast<uint16_t>((state.nextDescriptor + buffers.size()) % size);
        publish(queue, head);
        return head;
    }
    /// Writes QueueNotify (as a vCPU exit would) and, with a loop, runs the device until idle.
    void notify(uint32_t queue)
    {
        write32(vmm::MmioTransport::kQueueNotify, queue);
        runDevice();
    }
    /// Runs whatever the transport has pending: the loop, or each notified queue directly.
    void runDevice()
    {
        for (int round = 0; round < 100000; ++round) {
            if (m_loop) {
                auto ran = m_loop->runOnce(0);
                if (!ran || *ran == 0)
                    return;
                continue;
            }
            bool any = false;
            for (size_t index = 0; index < m_transport.queueCount(); ++index) {
                pollfd descriptor {m_transport.notifyEventFd(index), POLLIN, 0};
                if (::poll(&descriptor, 1, 0) == 1) {
                    m_transport.handleNotification(index);
                    any = true;
                }
            }
            if (!any)
                return;
        }
    }
    uint16_t usedIndex(uint32_t queue) { return read16(layout(queue).used + 2); }
    uint16_t usedFlags(uint32_t queue) { return read16(layout(queue).used); }
    /// The next used element not yet taken, if the device added one.
    std::optional<Used> takeUsed(uint32_t queue)
    {
        QueueState& state = m_queues.at(queue);
        if (usedIndex(queue) == state.usedSeen)
            return std::nullopt;
        uint64_t slot = state.layout.used + 4 + 8 * uint64_t(state.usedSeen % state.layout.size);
        Used used;
        std::vector<uint8_t> raw = readBytes(slot, 8);
        std::memcpy(&used.id, raw.data(), 4);
        std::memcpy(&used.length, raw.data() + 4, 4);
        ++state.usedSeen;
        return used;
    }
    /// Reads InterruptStatus and acknowledges it, as vm_interrupt() does; returns the status.
    uint32_t acknowledgeInterrupt()
    {
        uint32_t value = read32(vmm::MmioTransport::kInterruptStatus);
        if (value)
            write32(vmm::MmioTransport::kInterruptAck, value);
        return value;
    }

    // --- memory ----------------------------------------------------------------------------

    /// `size` bytes of guest memory for buffers, `alignment`-aligned, never reused.
    uint64_t allocate(uint64_t size, uint64_t alignment = 16)
    {
        uint64_t address = (m_nextData + alignment - 1) / alignment * alignment;
        m_nextData = address + size;
        return address;
    }
    void write(uint64_t address, std::span<const uint8_t> bytes)
    {
        if (!m_memory.write(vmm::GuestAddress(address), bytes))
            std::abort(); // a test laid out memory wrongly: no result would mean anything
    }
    std::vector<uint8_t> readBytes(uint64_t address, size_t length)
    {
        std::vector<uint8_t> bytes(length);
        if (!m_memory.read(vmm::GuestAddress(address), bytes))
            std::abort();
        return bytes;
    }
    void write16(uint64_t address, uint16_t value)
    {
        // Safety: a uint16_t is 2 trivially copyable bytes.
        write(address, std::span(reinterpret_cast<const uint8_t*>(&value), 2));
    }
    uint16_t read16(uint64_t address)
    {
        uint16_t value = 0;
        std::vector<uint8_t> raw = readBytes(address, 2);
        std::memcpy(&value, raw.data(), 2);
        return value;
    }

private:
    struct QueueState {
        Layout layout;
        uint16_t availIndex = 0;
        uint16_t usedSeen = 0;
        uint16_t nextDescriptor = 0;
    };

    const vmm::GuestMemory& m_memory;
    vmm::MmioTransport& m_transport;
    vmm::EventLoop* m_loop;
    uint64_t m_ringBase;
    uint64_t m_nextData;
    std::vector<QueueState> m_queues;
};
