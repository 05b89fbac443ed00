#pragma once

#include "VsockMuxer.h"
#include "sys/EventLoop.h"
#include "virtio/GuestErrorLog.h"
#include "virtio/VirtioDevice.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace vmm {

/// How a vsock device is set up; the defaults suit a session's guest agent.
struct VsockOptions {
    /// The guest's CID (§5.10.4: 3 and up; 0-2 and 0xffffffff are reserved).
    uint64_t guestCid = 3;
    /// Bytes held per connection for its host socket, advertised to the guest as buf_alloc.
    uint32_t bufferBytes = 256 * 1024;
    /// How long a host client waits for the guest to answer its CONNECT.
    std::chrono::milliseconds connectTimeout {5000};
    /// How long a closing connection waits for its last bytes or the guest's RST.
    std::chrono::milliseconds shutdownTimeout {2000};
    /// Host clients and connections at once; beyond, new ones are refused.
    size_t maxConnections = 1024;
};

/// A virtio socket device (virtio 1.1 §5.10) whose host side is Unix sockets, Firecracker's
/// hybrid design (see VsockMuxer): queues rx, tx and event; only STREAM sockets; the guest's CID
/// in configuration space. Per TX notification and per round of RX delivery the work is bounded
/// (the rest comes back through the transport or a task posted to the loop); malformed guest
/// packets are dropped and logged at a limited rate. The Unix socket `udsPath` is created by
/// create() and removed by the destructor, which runs on the loop's thread or after it stopped.
class VsockDevice final : public VirtioDevice, public std::enable_shared_from_this<VsockDevice> {
public:
    static constexpr uint16_t kQueueSize = 256;
    static constexpr size_t kRxQueue = 0;
    static constexpr size_t kTxQueue = 1;
    static constexpr size_t kEventQueue = 2;
    /// TX packets handled per notification at most.
    static constexpr int kTxPacketsPerNotification = 128;
    /// RX packets delivered per round at most.
    static constexpr int kRxPacketsPerRound = 128;

    /// A device listening at `udsPath` (which must not exist) with its sockets on `loop`, the
    /// machine's device loop.
    static Result<std::shared_ptr<VsockDevice>> create(
        std::string udsPath, EventLoop& loop, VsockOptions options = {});

    uint32_t deviceType() const override;
    uint64_t features() const override;
    std::vector<uint16_t> queueMaxSizes() const override
    {
        return {kQueueSize, kQueueSize, kQueueSize};
    }
    void readConfig(uint64_t offset, std::span<uint8_t> data) override;
    Result<void> activate(const VirtioActivation& activation) override;
    Progress processQueue(size_t index) override;
    void reset() override;

    /// The counters so far; any thread may call this.
    VsockStats stats() const;

private:
    VsockDevice(std::string udsPath, EventLoop& loop, const VsockOptions& options);

    void handleTx(const DescriptorChain& chain);
    /// Fills RX buffers with what the muxer has; true when it stopped at its budget with more.
    bool deliverRx();
    void deliverEvents();
    /// Host sockets left packets for the guest (mutex held, loop thread).
    void onHostRxPending();

    EventLoop& m_loop;
    VsockOptions m_options;
    VsockMuxer m_muxer;
    // While active (between activate() and reset()).
    Queue* m_rx = nullptr;
    Queue* m_tx = nullptr;
    Queue* m_event = nullptr;
    VirtioInterrupt* m_interrupt = nullptr;
    std::optional<DescriptorChain> m_heldRx; // popped, then nothing was ready to put in it
    bool m_activatedBefore = false;
    bool m_pendingTransportReset = false;
    bool m_continuationPosted = false;
    GuestErrorLog m_log {"virtio-vsock"};
    std::atomic<uint64_t> m_malformedPackets {0};
};

} // namespace vmm
