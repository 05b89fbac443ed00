#pragma once

#include "Queue.h"
#include "VirtioInterrupt.h"
#include "memory/GuestMemory.h"
#include "sys/Result.h"

#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

namespace vmm {

/// What a device receives when the driver sets DRIVER_OK: valid until reset() returns.
struct VirtioActivation {
    const GuestMemory& memory;
    /// One per queue, every one enabled (ready); owned by the transport.
    std::span<Queue> queues;
    /// Raise signalUsedBuffers() after completing chains outside processQueue() (the transport
    /// checks Queue::needsInterrupt() for every queue after each processQueue() itself).
    VirtioInterrupt& interrupt;
    /// The features the driver accepted (a subset of features()).
    uint64_t features = 0;
};

/// A virtio device model, apart from its transport (STYLE.md §11): it never calls KVM, never
/// opens files, never knows its base address. The transport calls every member except the three
/// constant descriptions with mutex() held, so a device is single-threaded inside; work a device
/// starts from elsewhere (a socket of its own on the event loop) takes mutex() as well.
class VirtioDevice {
public:
    /// What processQueue() did.
    enum class Progress {
        Idle, ///< it handled all it could; wait for the next notification
        MorePending, ///< it stopped at its per-notification budget; call it again soon
    };

    virtual ~VirtioDevice() = default;

    /// The virtio device ID (virtio 1.1 §5), e.g. virtio::kDeviceIdBlock.
    virtual uint32_t deviceType() const = 0;
    /// The feature bits offered, VIRTIO_F_VERSION_1 included; constant.
    virtual uint64_t features() const = 0;
    /// The host-owned maximum size of each queue (powers of two); constant.
    virtual std::vector<uint16_t> queueMaxSizes() const = 0;

    /// Reads device configuration space at `offset` (0 = the transport's 0x100) into `data`,
    /// which the transport zero-filled; bytes past the end of the configuration stay zero.
    virtual void readConfig(uint64_t offset, std::span<uint8_t> data) = 0;
    /// A driver write to configuration space; ignored unless the device defines writable fields.
    virtual void writeConfig(uint64_t offset, std::span<const uint8_t> data)
    {
        (void)offset;
        (void)data;
    }

    /// Starts the device with its queues; a failure makes the transport set DEVICE_NEEDS_RESET.
    virtual Result<void> activate(const VirtioActivation& activation) = 0;
    /// Handles what the driver made available on queue `index` after a notification, bounded
    /// per call (STYLE.md §Engine safety: bound the work done per notification).
    virtual Progress processQueue(size_t index) = 0;
    /// Forgets the activation (queues, memory, interrupt); the device is as before activate().
    virtual void reset() = 0;

    /// The lock the transport holds around every call above.
    std::mutex& mutex() const { return m_mutex; }

private:
    mutable std::mutex m_mutex;
};

} // namespace vmm
