#pragma once

#include "VsockConnection.h"
#include "VsockPacket.h"
#include "sys/EventLoop.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"
#include "virtio/DescriptorChain.h"
#include "virtio/GuestErrorLog.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace vmm {

/// Counters of one vsock device; any thread may read them.
struct VsockStats {
    uint64_t connectionsOpen = 0; ///< connections now (with host ones whose REQUEST waits)
    uint64_t connectionsOpened = 0; ///< connections established or announced so far
    uint64_t connectionsRefused = 0; ///< host clients and guest requests turned away
    uint64_t bytesToGuest = 0; ///< stream bytes delivered to the guest
    uint64_t bytesFromGuest = 0; ///< stream bytes taken from the guest for host sockets
    uint64_t malformedPackets = 0; ///< guest packets dropped as malformed
};

/// The host side of a hybrid vsock device, as Firecracker has it: Unix sockets ↔ connections.
///
/// Host-initiated: a client connects to the listener at `udsPath` and writes "CONNECT <port>\n"
/// (at most kMaxConnectLine bytes); the muxer picks a local port (from 2^30 up), sends REQUEST to
/// the guest and, on the guest's RESPONSE, writes "OK <local port>\n" before bytes flow. An RST,
/// or no answer within the connect timeout, closes the client. Guest-initiated: a REQUEST to
/// port P connects to the Unix listener at `udsPath + "_P"`; success is answered with RESPONSE,
/// failure with RST. At most maxConnections host clients and connections exist at once.
///
/// Every member runs on the event loop's thread with the device's mutex held (host callbacks
/// take it themselves), except reset(), which may run on a vCPU thread and leaves the loop's
/// registrations to a task it posts.
class VsockMuxer {
public:
    static constexpr size_t kMaxConnectLine = 32;
    static constexpr uint32_t kFirstLocalPort = 1u << 30;
    /// Per listener event at most this many clients are accepted (the loop comes back).
    static constexpr int kAcceptsPerEvent = 16;
    /// RSTs owed for packets to unknown connections; more are dropped (the guest times out).
    static constexpr size_t kMaxOrphanReplies = 64;

    /// `mutex` is the device's; `onRxPending` runs with it held when host events leave packets
    /// for the guest.
    VsockMuxer(EventLoop& loop, std::mutex& mutex, std::string udsPath,
        const VsockConnectionSettings& settings, size_t maxConnections,
        std::function<void()> onRxPending);
    ~VsockMuxer();
    VsockMuxer(const VsockMuxer&) = delete;
    VsockMuxer& operator=(const VsockMuxer&) = delete;

    /// Creates the listening socket and registers it on the loop.
    Result<void> start();

    /// Handles a validated packet from the guest's TX queue.
    void handleGuestPacket(const VsockHeader& header, const DescriptorChain& chain);
    /// Whether fillRx() may have a packet.
    bool hasPendingRx() const { return !m_orphanReplies.empty() || !m_rxQueue.empty(); }
    /// Writes the next packet for the guest into `chain` (its writable part holds a header).
    std::optional<VsockRxPacket> fillRx(const DescriptorChain& chain);
    /// Device reset: every host client and connection is closed (from the loop, soon).
    void reset();

    VsockStats stats() const;

private:
    struct Entry {
        VsockConnection connection;
        uint64_t serial = 0;
        bool watched = false;
        uint32_t events = 0;
        bool queued = false; // in m_rxQueue
    };
    struct PendingClient {
        UniqueFd fd;
        std::string line;
        VsockConnection::Clock::time_point deadline;
    };
    struct QueuedConnection {
        uint64_t key = 0;
        uint64_t serial = 0;
    };

    static uint64_t keyOf(uint32_t localPort, uint32_t peerPort)
    {
        return uint64_t {localPort} << 32 | peerPort;
    }

    void onListenerReadable();
    void onPendingClient(uint64_t serial, uint32_t events);
    void onConnectionEvent(uint64_t serial, int fd, uint32_t events);
    void onTimer();
    void promote(uint64_t serial, uint32_t peerPort);
    void dropPendingClient(uint64_t serial);
    void connectGuest(const VsockHeader& request);
    void replyRst(const VsockHeader& packet);
    uint32_t allocateLocalPort(uint32_t peerPort);
    void insert(uint64_t key, VsockConnection connection);
    void refresh(uint64_t key);
    void watch(Entry& entry);
    void armTimer(bool armed);
    size_t count() const { return m_pendingClients.size() + m_connections.size(); }
    void notifyRx();
    void publishOpen();

    EventLoop& m_loop;
    std::mutex& m_mutex;
    std::string m_path;
    VsockConnectionSettings m_settings;
    size_t m_maxConnections;
    std::function<void()> m_onRxPending;

    UniqueFd m_listener;
    UniqueFd m_timer; // a timerfd ticking while anything has a deadline
    bool m_timerArmed = false;
    std::unordered_map<uint64_t, PendingClient> m_pendingClients; // by serial
    std::unordered_map<uint64_t, Entry> m_connections; // by keyOf(local, peer)
    std::unordered_map<uint64_t, uint64_t> m_keyBySerial;
    std::deque<QueuedConnection> m_rxQueue; // round robin; stale entries are skipped
    std::deque<VsockHeader> m_orphanReplies;
    uint64_t m_nextSerial = 1;
    uint32_t m_nextLocalPort = kFirstLocalPort;

    std::vector<UniqueFd> m_graveyard; // closed by the loop after a reset
    bool m_cleanupPosted = false;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
    GuestErrorLog m_log {"virtio-vsock"};

    std::atomic<uint64_t> m_connectionsOpen {0};
    std::atomic<uint64_t> m_connectionsOpened {0};
    std::atomic<uint64_t> m_connectionsRefused {0};
    std::atomic<uint64_t> m_bytesToGuest {0};
    std::atomic<uint64_t> m_bytesFromGuest {0};
};

} // namespace vmm
