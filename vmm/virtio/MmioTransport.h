#pragma once

#include "GuestErrorLog.h"
#include "Queue.h"
#include "VirtioDevice.h"
#include "VirtioInterrupt.h"
#include "bus/BusDevice.h"
#include "memory/GuestMemory.h"
#include "sys/EventFd.h"
#include "sys/EventLoop.h"
#include "sys/Result.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

namespace vmm {

/// The virtio-mmio transport, version 2 (virtio 1.1 §4.2.2): the 4 KiB register window of one
/// VirtioDevice. Registers are 32 bits wide and 32-bit aligned; other accesses and unknown
/// offsets are ignored (reads return 0); configuration space at 0x100 takes any width.
///
/// Notifications arrive on one EventFd per queue (the machine registers them as KVM ioeventfds
/// at base + kQueueNotify, matching the queue index; a QueueNotify write that still exits to the
/// VMM signals the same EventFd), and the device runs on the EventLoop passed to attach().
/// Interrupts leave through interruptEventFd() (a KVM irqfd). Registers are accessed from vCPU
/// threads: they take the transport's lock, and whatever touches the device takes the device's.
/// `memory` must outlive the transport.
class MmioTransport final : public BusDevice, public std::enable_shared_from_this<MmioTransport> {
public:
    /// Register offsets (§4.2.2, table "MMIO Device Register Layout").
    static constexpr uint64_t kMagicValue = 0x000;
    static constexpr uint64_t kVersion = 0x004;
    static constexpr uint64_t kDeviceId = 0x008;
    static constexpr uint64_t kVendorId = 0x00c;
    static constexpr uint64_t kDeviceFeatures = 0x010;
    static constexpr uint64_t kDeviceFeaturesSel = 0x014;
    static constexpr uint64_t kDriverFeatures = 0x020;
    static constexpr uint64_t kDriverFeaturesSel = 0x024;
    static constexpr uint64_t kQueueSel = 0x030;
    static constexpr uint64_t kQueueNumMax = 0x034;
    static constexpr uint64_t kQueueNum = 0x038;
    static constexpr uint64_t kQueueReady = 0x044;
    static constexpr uint64_t kQueueNotify = 0x050;
    static constexpr uint64_t kInterruptStatus = 0x060;
    static constexpr uint64_t kInterruptAck = 0x064;
    static constexpr uint64_t kStatus = 0x070;
    static constexpr uint64_t kQueueDescLow = 0x080;
    static constexpr uint64_t kQueueDescHigh = 0x084;
    static constexpr uint64_t kQueueDriverLow = 0x090;
    static constexpr uint64_t kQueueDriverHigh = 0x094;
    static constexpr uint64_t kQueueDeviceLow = 0x0a0;
    static constexpr uint64_t kQueueDeviceHigh = 0x0a4;
    static constexpr uint64_t kConfigGeneration = 0x0fc;
    static constexpr uint64_t kConfig = 0x100;
    /// The size of the register window the machine places on the MMIO bus.
    static constexpr uint64_t kWindowSize = 0x1000;

    static constexpr uint32_t kMagic = 0x74726976; ///< "virt"
    static constexpr uint32_t kTransportVersion = 2;
    static constexpr uint32_t kVendor = 0x4c524941; ///< "AIRL"

    /// Wraps `device`; fails when its queue sizes are not powers of two in 1..32768.
    static Result<std::shared_ptr<MmioTransport>> create(
        std::shared_ptr<VirtioDevice> device, const GuestMemory& memory);
    ~MmioTransport() override;

    void read(uint64_t offset, std::span<uint8_t> data) override;
    void write(uint64_t offset, std::span<const uint8_t> data) override;

    /// The number of queues of the device.
    size_t queueCount() const { return m_queues.size(); }
    /// The eventfd for queue `index`, for VmFd::registerIoEventFd(fd, base + kQueueNotify, index).
    int notifyEventFd(size_t index) const { return m_notify.at(index).fd(); }
    /// The eventfd for VmFd::registerIrqFd(fd, gsi).
    int interruptEventFd() const { return m_interrupt.eventFd().fd(); }

    /// Watches the notification eventfds on `loop`: the device then runs on the loop's thread.
    /// Call once, from the loop's thread or before it runs.
    Result<void> attach(EventLoop& loop);
    /// Processes queue `index` now as if notified (what the loop does; tests and fuzzers call it).
    void handleNotification(size_t index);

    /// Tells the driver that configuration space changed (ConfigGeneration moves on).
    void signalConfigChange();
    /// Runs `change` on the device with the device's lock held (so no request and no config read
    /// sees half of it); when it succeeds, ConfigGeneration moves on and the configuration-change
    /// interrupt is raised (virtio 1.2 §4.2.2 InterruptStatus bit 1, §2.5.1). Run it on the
    /// device thread. Its error is returned, and nothing is signalled then.
    Result<void> changeConfiguration(const std::function<Result<void>()>& change);
    /// The Status register.
    uint32_t status() const;
    /// Whether the device has been activated (DRIVER_OK accepted) and not reset since.
    bool isActive() const { return m_active.load(std::memory_order_acquire); }

private:
    MmioTransport(std::shared_ptr<VirtioDevice> device, const GuestMemory& memory,
        std::vector<Queue> queues, std::vector<EventFd> notify, VirtioInterrupt interrupt);

    uint32_t readRegister(uint64_t offset) const;
    void writeRegister(uint64_t offset, uint32_t value);
    void writeStatus(uint32_t value);
    bool queueConfigurable() const;
    bool featuresAcceptable() const;
    bool activate();
    void reset();
    void markNeedsReset();

    std::shared_ptr<VirtioDevice> m_device;
    const GuestMemory& m_memory;
    std::vector<Queue> m_queues; // configured under m_mutex; the device's once active
    std::vector<EventFd> m_notify;
    VirtioInterrupt m_interrupt;
    EventLoop* m_loop = nullptr;
    std::atomic<bool> m_active {false}; // changed with both the device's lock and m_mutex held

    mutable std::mutex m_mutex; // the registers below (lock order: device's mutex, then this)
    uint32_t m_status = 0;
    uint32_t m_deviceFeaturesSel = 0;
    uint32_t m_driverFeaturesSel = 0;
    uint64_t m_driverFeatures = 0;
    uint32_t m_queueSel = 0;
    uint32_t m_configGeneration = 0;
    GuestErrorLog m_log {"virtio-mmio"};
};

} // namespace vmm
