#include "MmioTransport.h"

#include "VirtioSpec.h"

#include <cstring>
#include <string>

#include <sys/epoll.h>

namespace vmm {

namespace {

using namespace virtio;

constexpr uint32_t kDriverStatusBits =
    kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk | kStatusDriverOk | kStatusFailed;
constexpr size_t kMaxQueues = 64;

uint32_t low32(uint64_t value)
{
    return static_cast<uint32_t>(value);
}
uint32_t high32(uint64_t value)
{
    return static_cast<uint32_t>(value >> 32);
}
GuestAddress withLow(GuestAddress address, uint32_t value)
{
    return GuestAddress((address.value() & 0xffff'ffff'0000'0000ull) | value);
}
GuestAddress withHigh(GuestAddress address, uint32_t value)
{
    return GuestAddress((address.value() & 0xffff'ffffull) | (uint64_t {value} << 32));
}

} // namespace

MmioTransport::MmioTransport(std::shared_ptr<VirtioDevice> device, const GuestMemory& memory,
    std::vector<Queue> queues, std::vector<EventFd> notify, VirtioInterrupt interrupt)
    : m_device(std::move(device))
    , m_memory(memory)
    , m_queues(std::move(queues))
    , m_notify(std::move(notify))
    , m_interrupt(std::move(interrupt))
{
}

MmioTransport::~MmioTransport()
{
    if (m_loop) {
        for (const EventFd& eventFd : m_notify)
            m_loop->remove(eventFd.fd());
    }
}

Result<std::shared_ptr<MmioTransport>> MmioTransport::create(
    std::shared_ptr<VirtioDevice> device, const GuestMemory& memory)
{
    if (!device)
        return failure(Error::invalid("virtio-mmio", "no device"));
    std::vector<uint16_t> sizes = device->queueMaxSizes();
    if (sizes.empty() || sizes.size() > kMaxQueues)
        return failure(Error::invalid("virtio-mmio", "a device needs 1 to 64 queues"));
    std::vector<Queue> queues;
    std::vector<EventFd> notify;
    for (uint16_t size : sizes) {
        if (size == 0 || size > kMaxQueueSize || (size & (size - 1)) != 0)
            return failure(Error::invalid("virtio-mmio", "queue size is not a power of two"));
        queues.emplace_back(size);
        notify.push_back(VMM_TRY(EventFd::create()));
    }
    auto interrupt = VMM_TRY(VirtioInterrupt::create());
    return std::shared_ptr<MmioTransport>(new MmioTransport(
        std::move(device), memory, std::move(queues), std::move(notify), std::move(interrupt)));
}

Result<void> MmioTransport::attach(EventLoop& loop)
{
    if (m_loop)
        return failure(Error::invalid("virtio-mmio", "already attached to an event loop"));
    for (size_t index = 0; index < m_notify.size(); ++index) {
        std::weak_ptr<MmioTransport> weak = weak_from_this();
        VMM_TRY(loop.add(m_notify[index].fd(), EPOLLIN, [weak, index](uint32_t) {
            if (auto self = weak.lock())
                self->handleNotification(index);
        }));
    }
    m_loop = &loop;
    return {};
}

void MmioTransport::read(uint64_t offset, std::span<uint8_t> data)
{
    if (offset >= kConfig) {
        std::lock_guard deviceLock(m_device->mutex());
        m_device->readConfig(offset - kConfig, data);
        return;
    }
    if (data.size() != 4 || offset % 4 != 0)
        return; // §4.2.2.2: registers are read with 32-bit accesses only
    uint32_t value = 0;
    if (offset == kInterruptStatus) {
        value = m_interrupt.status();
    } else {
        std::lock_guard lock(m_mutex);
        value = readRegister(offset);
    }
    std::memcpy(data.data(), &value, sizeof value); // little-endian, like the transport
}

uint32_t MmioTransport::readRegister(uint64_t offset) const
{
    bool queueExists = m_queueSel < m_queues.size();
    switch (offset) {
    case kMagicValue:
        return kMagic;
    case kVersion:
        return kTransportVersion;
    case kDeviceId:
        return m_device->deviceType();
    case kVendorId:
        return kVendor;
    case kDeviceFeatures: {
        uint64_t features = m_device->features();
        return m_deviceFeaturesSel == 0 ? low32(features)
            : m_deviceFeaturesSel == 1  ? high32(features)
                                        : 0;
    }
    case kQueueNumMax: // 0 tells the driver there is no such queue
        return queueExists ? m_queues[m_queueSel].maxSize() : 0;
    case kQueueReady:
        return queueExists && m_queues[m_queueSel].isReady() ? 1 : 0;
    case kStatus:
        return m_status;
    case kConfigGeneration:
        return m_configGeneration;
    default:
        return 0; // write-only and unknown registers
    }
}

void MmioTransport::write(uint64_t offset, std::span<const uint8_t> data)
{
    if (offset >= kConfig) {
        std::lock_guard deviceLock(m_device->mutex());
        m_device->writeConfig(offset - kConfig, data);
        return;
    }
    if (data.size() != 4 || offset % 4 != 0)
        return;
    uint32_t value = 0;
    std::memcpy(&value, data.data(), sizeof value);
    switch (offset) {
    case kQueueNotify:
        // The same path as an ioeventfd: the device runs on the loop, never on a vCPU thread.
        if (value < m_notify.size())
            m_notify[value].signal();
        return;
    case kInterruptAck:
        m_interrupt.acknowledge(value & (kInterruptUsedBuffer | kInterruptConfigChange));
        return;
    case kStatus:
        writeStatus(value);
        return;
    default: {
        std::lock_guard lock(m_mutex);
        writeRegister(offset, value);
    }
    }
}

bool MmioTransport::queueConfigurable() const
{
    // §3.1.1: queues are set up after FEATURES_OK and before DRIVER_OK, each while not ready.
    return m_queueSel < m_queues.size() && !m_queues[m_queueSel].isReady() &&
        (m_status & kStatusFeaturesOk) && !(m_status & kStatusDriverOk);
}

void MmioTransport::writeRegister(uint64_t offset, uint32_t value)
{
    switch (offset) {
    case kDeviceFeaturesSel:
        m_deviceFeaturesSel = value;
        return;
    case kDriverFeaturesSel:
        m_driverFeaturesSel = value;
        return;
    case kDriverFeatures:
        // §3.1.1 step 5: features are written after DRIVER and before FEATURES_OK.
        if (!(m_status & kStatusDriver) || (m_status & kStatusFeaturesOk) ||
            m_driverFeaturesSel > 1) {
            m_log.report("DriverFeatures written outside feature negotiation");
            return;
        }
        m_driverFeatures = m_driverFeaturesSel == 0
            ? (m_driverFeatures & 0xffff'ffff'0000'0000ull) | value
            : (m_driverFeatures & 0xffff'ffffull) | (uint64_t {value} << 32);
        return;
    case kQueueSel:
        m_queueSel = value; // an absent queue reads QueueNumMax 0 and takes no writes
        return;
    default:
        break;
    }
    bool isQueueRegister = offset == kQueueNum || offset == kQueueReady ||
        (offset >= kQueueDescLow && offset <= kQueueDeviceHigh);
    if (!isQueueRegister)
        return; // read-only or unknown register
    if (offset == kQueueReady && value == 0) {
        if (m_queueSel < m_queues.size() && !(m_status & kStatusDriverOk))
            m_queues[m_queueSel].disable();
        return;
    }
    if (!queueConfigurable()) {
        m_log.report("queue register written while the queue cannot be configured");
        return;
    }
    Queue& queue = m_queues[m_queueSel];
    switch (offset) {
    case kQueueNum:
        if (!queue.setSize(value))
            m_log.report(
                "QueueNum " + std::to_string(value) + " is not a power of two up to QueueNumMax");
        return;
    case kQueueReady:
        if (value != 1) {
            m_log.report("QueueReady written with a value other than 0 or 1");
        } else if (auto enabled = queue.enable(m_memory); !enabled) {
            m_log.report("queue " + std::to_string(m_queueSel) + ": " + enabled.error().detail());
        }
        return;
    case kQueueDescLow:
        queue.setDescriptorTable(withLow(queue.descriptorTable(), value));
        return;
    case kQueueDescHigh:
        queue.setDescriptorTable(withHigh(queue.descriptorTable(), value));
        return;
    case kQueueDriverLow:
        queue.setAvailRing(withLow(queue.availRing(), value));
        return;
    case kQueueDriverHigh:
        queue.setAvailRing(withHigh(queue.availRing(), value));
        return;
    case kQueueDeviceLow:
        queue.setUsedRing(withLow(queue.usedRing(), value));
        return;
    case kQueueDeviceHigh:
        queue.setUsedRing(withHigh(queue.usedRing(), value));
        return;
    default:
        return; // the gaps between the address registers
    }
}

bool MmioTransport::featuresAcceptable() const
{
    // §6.1: a driver accepting VIRTIO_F_VERSION_1 is the only kind this transport serves; and a
    // driver may accept only what was offered (§2.2.1).
    uint64_t offered = m_device->features();
    return (m_driverFeatures & ~offered) == 0 && (m_driverFeatures & featureBit(kFeatureVersion1));
}

void MmioTransport::writeStatus(uint32_t value)
{
    bool kick = false;
    {
        std::lock_guard deviceLock(m_device->mutex());
        std::lock_guard lock(m_mutex);
        if (value == 0) { // §4.2.2.1: writing 0 resets the device
            reset();
            return;
        }
        uint32_t current = m_status & kDriverStatusBits;
        uint32_t requested = value & kDriverStatusBits; // DEVICE_NEEDS_RESET is the device's
        uint32_t added = requested & ~current;
        // §2.1.1: the driver never clears a bit but by reset, and sets them in order.
        bool inOrder = (requested & current) == current &&
            (!(requested & kStatusDriver) || (requested & kStatusAcknowledge)) &&
            (!(requested & kStatusFeaturesOk) || (requested & kStatusDriver)) &&
            (!(requested & kStatusDriverOk) || (requested & kStatusFeaturesOk));
        if (!inOrder) {
            m_log.report("Status write " + std::to_string(value) + " out of order after " +
                std::to_string(m_status));
            return;
        }
        if ((m_status & kStatusDeviceNeedsReset) && (added & ~kStatusFailed))
            return; // only FAILED or a reset from here (§2.1.2)
        if ((added & kStatusFeaturesOk) && !featuresAcceptable()) {
            m_log.report("driver accepted features that were not offered, or not VERSION_1");
            added &= ~(kStatusFeaturesOk | kStatusDriverOk); // the driver reads it back (§3.1.1)
        }
        if (added & kStatusDriverOk) {
            if (activate()) {
                kick = true;
            } else {
                added &= ~kStatusDriverOk;
                markNeedsReset();
            }
        }
        m_status |= added;
    }
    // Chains the driver made available before DRIVER_OK are found now.
    if (kick) {
        for (const EventFd& eventFd : m_notify)
            eventFd.signal();
    }
}

bool MmioTransport::activate()
{
    for (size_t index = 0; index < m_queues.size(); ++index) {
        if (!m_queues[index].isReady()) {
            m_log.report("DRIVER_OK with queue " + std::to_string(index) + " not ready");
            return false;
        }
    }
    VirtioActivation activation {m_memory, m_queues, m_interrupt, m_driverFeatures};
    if (auto result = m_device->activate(activation); !result) {
        m_log.report("device refused activation: " + result.error().message());
        return false;
    }
    m_active.store(true, std::memory_order_release);
    return true;
}

void MmioTransport::reset()
{
    // Both locks are held: no notification is being processed, none starts until we return.
    m_device->reset();
    m_active.store(false, std::memory_order_release);
    for (Queue& queue : m_queues)
        queue.reset();
    for (const EventFd& eventFd : m_notify)
        eventFd.consume();
    m_interrupt.clear();
    m_status = 0;
    m_deviceFeaturesSel = 0;
    m_driverFeaturesSel = 0;
    m_driverFeatures = 0;
    m_queueSel = 0;
}

void MmioTransport::markNeedsReset()
{
    if (m_status & kStatusDeviceNeedsReset)
        return;
    m_status |= kStatusDeviceNeedsReset;
    ++m_configGeneration;
    m_interrupt.signalConfigChange(); // §2.1.2: tell the driver through a config change
}

void MmioTransport::handleNotification(size_t index)
{
    if (index >= m_notify.size())
        return;
    m_notify[index].consume();
    std::lock_guard deviceLock(m_device->mutex());
    if (!m_active.load(std::memory_order_acquire) || m_queues[index].isBroken())
        return;
    VirtioDevice::Progress progress = m_device->processQueue(index);
    bool interrupt = false;
    bool broken = false;
    for (Queue& queue : m_queues) {
        interrupt = queue.needsInterrupt() || interrupt;
        broken = broken || queue.isBroken();
    }
    if (interrupt)
        m_interrupt.signalUsedBuffers();
    if (broken) {
        std::lock_guard lock(m_mutex);
        markNeedsReset();
    }
    // Yield to the loop's other work and come back (bounded work per notification).
    if (progress == VirtioDevice::Progress::MorePending)
        m_notify[index].signal();
}

void MmioTransport::signalConfigChange()
{
    {
        std::lock_guard lock(m_mutex);
        ++m_configGeneration;
    }
    m_interrupt.signalConfigChange();
}

Result<void> MmioTransport::changeConfiguration(const std::function<Result<void>()>& change)
{
    {
        std::lock_guard deviceLock(m_device->mutex());
        VMM_TRY(change());
        // §2.5 / §4.2.2 ConfigGeneration: a driver that read the configuration across this
        // change sees the generation move and reads again, so it never mixes old and new fields.
        std::lock_guard lock(m_mutex);
        ++m_configGeneration;
    }
    m_interrupt.signalConfigChange(); // InterruptStatus bit 1: the driver re-reads (Linux:
                                      // virtblk_config_changed -> the new capacity)
    return {};
}

uint32_t MmioTransport::status() const
{
    std::lock_guard lock(m_mutex);
    return m_status;
}

} // namespace vmm
