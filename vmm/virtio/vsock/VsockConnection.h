#pragma once

#include "VsockByteBuffer.h"
#include "VsockPacket.h"
#include "sys/UniqueFd.h"
#include "virtio/DescriptorChain.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace vmm {

/// What every connection of one device shares.
struct VsockConnectionSettings {
    uint64_t guestCid = 3;
    /// The buf_alloc advertised to the guest: the most this side ever holds for the host socket.
    uint32_t bufferBytes = 256 * 1024;
    std::chrono::milliseconds connectTimeout {5000};
    std::chrono::milliseconds shutdownTimeout {2000};
};

/// A packet a connection put into an RX chain.
struct VsockRxPacket {
    uint32_t usedLength = 0; ///< header + payload, for Queue::addUsed()
    uint32_t payloadBytes = 0; ///< stream bytes delivered to the guest
};

/// One stream between a host Unix socket and a guest port (virtio 1.1 §5.10.6): its state
/// machine, the credit both ways (§5.10.6.3), and the host socket's I/O. It never sends the
/// guest more than the guest's credit, never holds more than bufferBytes for the host socket
/// (a guest that sends more than its credit is reset), and stops reading the host socket while
/// the guest has no credit. Not thread-safe: the muxer calls it under the device's lock.
class VsockConnection {
public:
    enum class State {
        Connecting, ///< host-initiated: REQUEST queued or sent, no RESPONSE yet
        Established, ///< data may flow (each direction until its SHUTDOWN)
        Closing, ///< both directions shut down: waiting for the last bytes or the guest's RST
        Finished, ///< nothing left to say to the guest: the muxer erases it
    };
    using Clock = std::chrono::steady_clock;

    /// A host client's connection to guest port `peerPort`, announced with REQUEST.
    static VsockConnection hostInitiated(UniqueFd host, uint32_t localPort, uint32_t peerPort,
        const VsockConnectionSettings& settings);
    /// The guest's `request` that a host listener accepted through `host`; answered with RESPONSE.
    static VsockConnection guestInitiated(
        UniqueFd host, const VsockHeader& request, const VsockConnectionSettings& settings);

    State state() const { return m_state; }
    uint32_t localPort() const { return m_localPort; }
    uint32_t peerPort() const { return m_peerPort; }
    int hostFd() const { return m_host.get(); }
    /// Whether the guest has heard of it (a host-initiated REQUEST not yet sent: not).
    bool isAnnounced() const { return !m_pendingRequest; }

    /// Handles a packet from the guest addressed to this connection (and for RW its payload in
    /// `chain`); returns the payload bytes taken for the host.
    uint32_t handleGuestPacket(const VsockHeader& header, const DescriptorChain& chain);
    /// Handles epoll `events` on the host socket.
    void handleHostEvents(uint32_t events);
    /// Aborts: closes the host side and resets the guest side (RST if the guest knows of it).
    void kill();
    /// When the connection gives up waiting (RESPONSE or the end of a shutdown), if it waits.
    std::optional<Clock::time_point> deadline() const { return m_deadline; }

    /// Whether fillRx() has a packet to give now.
    bool hasPendingRx() const;
    /// Writes the next packet into `chain`, whose writable part holds at least a header;
    /// nothing when no packet was ready after all (the host socket had no data).
    std::optional<VsockRxPacket> fillRx(const DescriptorChain& chain);

    /// The epoll events to watch on the host socket, or nothing when it must not be watched
    /// (hung up, which epoll cannot mask, or no longer needed).
    std::optional<uint32_t> wantedEvents() const;
    /// Whether the host socket is still needed; when not, the muxer unwatches and releases it.
    bool needsHost() const { return !m_closeHost; }
    /// Closes the host socket (after the muxer stopped watching it).
    void releaseHost() { m_host.reset(); }
    /// Gives the host socket up without closing it (to close it later elsewhere).
    UniqueFd takeHost() { return std::move(m_host); }

private:
    VsockConnection(UniqueFd host, uint32_t localPort, uint32_t peerPort,
        const VsockConnectionSettings& settings);

    uint32_t peerCredit() const;
    bool canSendData() const;
    bool needsCreditUpdate() const;
    VsockHeader header(uint16_t op, uint32_t length = 0, uint32_t flags = 0);
    VsockRxPacket emit(const DescriptorChain& chain, uint16_t op, uint32_t flags = 0);
    std::optional<VsockRxPacket> readHost(const DescriptorChain& chain);
    void handleResponse();
    void handleShutdown(uint32_t flags);
    uint32_t writeHost(const DescriptorChain& chain, uint32_t length);
    void flushHost();
    void afterHostWrite();
    void enterClosing();
    void finish();

    UniqueFd m_host;
    uint32_t m_localPort;
    uint32_t m_peerPort;
    VsockConnectionSettings m_settings;
    State m_state = State::Established;
    std::optional<Clock::time_point> m_deadline;

    // Packets owed to the guest (§5.10.6.2-6).
    bool m_pendingRequest = false;
    bool m_pendingResponse = false;
    bool m_pendingRst = false;
    bool m_pendingCreditUpdate = false;
    bool m_pendingCreditRequest = false;
    uint32_t m_pendingShutdown = 0;

    uint32_t m_peerShutdown = 0; // what the guest said it will no longer do
    uint32_t m_localShutdown = 0; // what we told the guest

    // The host socket.
    bool m_hostReadable = false; // epoll said so and no read has met EAGAIN since
    bool m_hostEof = false; // a read returned 0
    bool m_hostHungUp = false; // EPOLLHUP: the peer closed; no longer watched
    bool m_hostWriteShut = false; // shutdown(SHUT_WR) done after the guest's SHUTDOWN SEND
    bool m_closeHost = false;
    VsockByteBuffer m_toHost;

    // Credit (§5.10.6.3), all counters wrapping like the spec's.
    uint32_t m_peerBufAlloc = 0;
    uint32_t m_peerFwdCnt = 0;
    uint32_t m_rxCount = 0; // stream bytes sent to the guest
    uint32_t m_receivedCount = 0; // stream bytes taken from the guest
    uint32_t m_fwdCount = 0; // of those, bytes written to the host socket
    uint32_t m_lastFwdCountSent = 0; // m_fwdCount as the guest last saw it
};

} // namespace vmm
