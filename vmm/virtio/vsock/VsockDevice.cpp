#include "VsockDevice.h"

#include "VsockPacket.h"
#include "virtio/VirtioSpec.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace vmm {

namespace {

using namespace virtio;

constexpr uint64_t kReservedCid = 0xffff'ffff; // VMADDR_CID_ANY as a 32-bit CID
constexpr uint32_t kMinBufferBytes = 4096;

VsockConnectionSettings settingsOf(const VsockOptions& options)
{
    return VsockConnectionSettings {
        options.guestCid, options.bufferBytes, options.connectTimeout, options.shutdownTimeout};
}

} // namespace

VsockDevice::VsockDevice(std::string udsPath, EventLoop& loop, const VsockOptions& options)
    : m_loop(loop)
    , m_options(options)
    , m_muxer(loop, mutex(), std::move(udsPath), settingsOf(options), options.maxConnections,
          [this] { onHostRxPending(); })
{
}

Result<std::shared_ptr<VsockDevice>> VsockDevice::create(
    std::string udsPath, EventLoop& loop, VsockOptions options)
{
    if (options.guestCid <= vsock::kHostCid || options.guestCid >= kReservedCid)
        return failure(Error::invalid("virtio-vsock", "guest CID must be 3 to 0xfffffffe"));
    if (options.bufferBytes < kMinBufferBytes || options.maxConnections == 0)
        return failure(
            Error::invalid("virtio-vsock", "buffer below 4 KiB or no connections allowed"));
    std::shared_ptr<VsockDevice> device(new VsockDevice(std::move(udsPath), loop, options));
    VMM_TRY(device->m_muxer.start());
    return device;
}

uint32_t VsockDevice::deviceType() const
{
    return kDeviceIdSocket;
}

uint64_t VsockDevice::features() const
{
    // §5.10.3: no feature bits of its own in 1.1 (STREAM is implied; SEQPACKET not offered).
    return featureBit(kFeatureVersion1);
}

void VsockDevice::readConfig(uint64_t offset, std::span<uint8_t> data)
{
    // §5.10.4 struct virtio_vsock_config { le64 guest_cid; }.
    std::array<uint8_t, 8> bytes {};
    std::memcpy(bytes.data(), &m_options.guestCid, sizeof m_options.guestCid);
    if (offset >= bytes.size())
        return;
    size_t count = std::min(data.size(), bytes.size() - static_cast<size_t>(offset));
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(offset), count, data.begin());
}

Result<void> VsockDevice::activate(const VirtioActivation& activation)
{
    if (activation.queues.size() != 3)
        return failure(Error::invalid("virtio-vsock", "needs exactly three queues"));
    m_rx = &activation.queues[kRxQueue];
    m_tx = &activation.queues[kTxQueue];
    m_event = &activation.queues[kEventQueue];
    m_interrupt = &activation.interrupt;
    // §5.10.6.6: a driver coming back after a reset learns that its connections are gone.
    if (m_activatedBefore)
        m_pendingTransportReset = true;
    m_activatedBefore = true;
    // Packets already waiting (host clients that connected while the guest booted) go out when
    // the transport kicks the queues right after DRIVER_OK, on the loop's thread.
    return {};
}

void VsockDevice::reset()
{
    m_rx = m_tx = m_event = nullptr;
    m_interrupt = nullptr;
    m_heldRx.reset();
    m_muxer.reset();
}

VirtioDevice::Progress VsockDevice::processQueue(size_t index)
{
    if (!m_rx)
        return Progress::Idle;
    switch (index) {
    case kRxQueue:
        return deliverRx() ? Progress::MorePending : Progress::Idle;
    case kTxQueue: {
        for (int count = 0; count < kTxPacketsPerNotification; ++count) {
            std::optional<DescriptorChain> chain = m_tx->pop();
            if (!chain)
                break;
            handleTx(*chain);
            (void)m_tx->addUsed(chain->head(), 0);
        }
        bool more = deliverRx(); // replies and credit the packets asked for
        return m_tx->hasPending() || more ? Progress::MorePending : Progress::Idle;
    }
    case kEventQueue:
        deliverEvents();
        return Progress::Idle;
    default:
        return Progress::Idle;
    }
}

void VsockDevice::handleTx(const DescriptorChain& chain)
{
    std::optional<VsockHeader> header = VsockHeader::readFrom(chain);
    std::optional<std::string_view> reason;
    if (!header)
        reason = "TX packet shorter than its header";
    else
        reason = malformedReason(*header, chain.readableLength(), m_options.guestCid);
    if (reason) {
        m_malformedPackets.fetch_add(1, std::memory_order_relaxed);
        m_log.report(*reason);
        return;
    }
    m_muxer.handleGuestPacket(*header, chain);
}

bool VsockDevice::deliverRx()
{
    if (!m_rx)
        return false;
    bool atBudget = false;
    for (int count = 0; m_muxer.hasPendingRx(); ++count) {
        if (count == kRxPacketsPerRound) {
            atBudget = true;
            break;
        }
        std::optional<DescriptorChain> chain = std::exchange(m_heldRx, std::nullopt);
        if (!chain)
            chain = m_rx->pop();
        if (!chain)
            break; // no buffers: the guest's next RX notification brings us back
        if (chain->writableLength() < VsockHeader::kSize) {
            m_log.report("RX buffer shorter than a packet header");
            (void)m_rx->addUsed(chain->head(), 0);
            continue;
        }
        std::optional<VsockRxPacket> packet = m_muxer.fillRx(*chain);
        if (!packet) {
            m_heldRx = std::move(chain); // kept for the next packet
            break;
        }
        (void)m_rx->addUsed(chain->head(), packet->usedLength);
    }
    if (m_rx->needsInterrupt())
        m_interrupt->signalUsedBuffers();
    return atBudget && (m_heldRx || m_rx->hasPending());
}

void VsockDevice::deliverEvents()
{
    while (m_pendingTransportReset) {
        std::optional<DescriptorChain> chain = m_event->pop();
        if (!chain)
            return;
        uint32_t id = vsock::kEventTransportReset; // struct virtio_vsock_event { le32 id; }
        std::array<uint8_t, sizeof id> bytes {};
        std::memcpy(bytes.data(), &id, sizeof id);
        size_t written = chain->copyToWritable(0, bytes);
        if (written == bytes.size())
            m_pendingTransportReset = false;
        else
            m_log.report("event buffer shorter than an event");
        (void)m_event->addUsed(chain->head(), static_cast<uint32_t>(written));
    }
}

void VsockDevice::onHostRxPending()
{
    if (!m_rx)
        return; // not active: packets wait for activation
    if (!deliverRx() || m_continuationPosted)
        return;
    // Stopped at the budget: let the loop's other work run, then continue.
    m_continuationPosted = true;
    std::weak_ptr<VsockDevice> weak = weak_from_this();
    m_loop.post([weak] {
        std::shared_ptr<VsockDevice> self = weak.lock();
        if (!self)
            return;
        std::lock_guard lock(self->mutex());
        self->m_continuationPosted = false;
        self->onHostRxPending();
    });
}

VsockStats VsockDevice::stats() const
{
    VsockStats stats = m_muxer.stats();
    stats.malformedPackets = m_malformedPackets.load(std::memory_order_relaxed);
    return stats;
}

} // namespace vmm
