#pragma once

#include "ControlCommands.h"
#include "ControlProtocol.h"
#include "StreamMessages.h"
#include "protocol/FrameDecoder.h"
#include "sys/EventFd.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace vmm {

/// The app's side of the control channel: a blocking client over the connected socket, with
/// its own I/O thread. Commands wait for their reply; events (state, console output, metrics,
/// guest-exit, shred-report, errors...) queue for nextEvent(); a relayed stream to a guest vsock
/// port is handed out as one end of a socketpair, pumped with the protocol's per-stream credit,
/// so that AgentClient runs over it unchanged. Everything from the VMM is validated; a malformed
/// frame disconnects. All members are thread-safe.
class ControlClient {
public:
    static constexpr std::chrono::milliseconds kDefaultTimeout {30000};

    /// Says hello over `socket` and waits at most `timeout` for the VMM's.
    static Result<std::unique_ptr<ControlClient>> create(UniqueFd socket,
        std::chrono::milliseconds timeout = std::chrono::milliseconds(10000),
        std::string software = "airlock");
    ~ControlClient();

    ControlClient(const ControlClient&) = delete;
    ControlClient& operator=(const ControlClient&) = delete;

    /// The VMM's Hello.
    const Hello& peer() const { return m_peer; }
    /// Whether the channel is up.
    bool isConnected() const { return m_connected.load(); }

    /// Sends command `kind` with `fields` (its "id" is added) and waits for the reply. A reply
    /// with ok false is returned as it is; transport failures are errors.
    Result<ControlReply> command(ControlKind kind, nlohmann::json fields = nlohmann::json::object(),
        std::vector<uint8_t> payload = {}, std::chrono::milliseconds timeout = kDefaultTimeout);
    Result<ControlStatus> status();
    Result<void> pause();
    Result<void> resume();
    /// Stops the session: cleanly through the guest agent unless `force`.
    Result<void> stop(bool force = false);
    /// Bytes for the guest console (at most kMaxStreamChunkBytes per call).
    Result<void> sendConsoleInput(std::span<const uint8_t> bytes);
    Result<HostMetrics> metrics();
    /// Metrics events every `interval` (>= 250 ms; 0 ends the subscription).
    Result<void> subscribeMetrics(std::chrono::milliseconds interval);
    /// Adds the host folder or file `path` to the running session as /datasets/<name>, with
    /// `grant` (64 hex digits: grantMac(session key, name, path)); returns once it is mounted in
    /// the guest. A refusal is an error carrying the VMM's message for the user.
    Result<DatasetAdded> addDataset(const std::string& name, const std::string& path,
        const std::string& grant, std::chrono::milliseconds timeout = kDefaultTimeout);

    /// The next event frame (any kind but reply and the stream messages), waiting at most
    /// `timeout`: nothing on timeout, an error once the channel is down and every event taken.
    Result<std::optional<Frame>> nextEvent(std::chrono::milliseconds timeout);
    /// Events dropped because nobody took them (beyond the queue's limits).
    uint64_t droppedEvents() const;

    /// Opens a relayed stream to guest vsock port `port`; returns our end of a socketpair that
    /// carries its bytes both ways (shutdown(SHUT_WR) half-closes, close() drops it).
    Result<UniqueFd> openStream(uint32_t port, std::chrono::milliseconds timeout = kDefaultTimeout);
    /// Opens a relayed stream to the session's VNC server (the display): an RFB connection,
    /// the same here as through the KVM lab. Any thread.
    Result<UniqueFd> openDisplayStream(std::chrono::milliseconds timeout = kDefaultTimeout);

private:
    Result<UniqueFd> openRelayedStream(StreamOpen open, std::chrono::milliseconds timeout);
    struct Stream {
        StreamId id = 0;
        UniqueFd local;
        bool open = false;
        bool openDone = false;
        std::string openError;
        std::vector<uint8_t> toLocal;
        size_t toLocalSent = 0;
        uint64_t unackedToVmm = 0;
        uint64_t ackOwed = 0;
        bool localEnded = false;
        bool remoteEnded = false;
        bool localWriteShut = false;
        bool remoteClosed = false;
        bool closeSent = false;
    };

    ControlClient(UniqueFd socket, EventFd wake, Hello peer);
    static Result<Hello> handshake(int fd, FrameDecoder& decoder, std::deque<Frame>& early,
        std::chrono::milliseconds timeout, const std::string& software);

    void run();
    void readSocket();
    void dispatch(Frame frame);
    Result<void> dispatchStream(const Frame& frame);
    void serviceStream(Stream& stream, short revents);
    void pruneStreams();
    void queueLocked(const Frame& frame);
    void flushLocked();
    void disconnectLocked(const std::string& why);
    size_t pendingOutput() const { return m_output.size() - m_outputSent; }

    UniqueFd m_socket;
    EventFd m_wake;
    Hello m_peer;
    std::atomic<bool> m_connected {true};
    std::atomic<bool> m_stopping {false};

    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    FrameDecoder m_decoder;
    std::deque<Frame> m_early;
    std::vector<uint8_t> m_output;
    size_t m_outputSent = 0;
    uint64_t m_nextId = 1;
    std::map<uint64_t, std::optional<ControlReply>> m_waiting;
    std::deque<Frame> m_events;
    size_t m_eventBytes = 0;
    uint64_t m_droppedEvents = 0;
    StreamId m_nextStream = 1;
    std::map<StreamId, Stream> m_streams;
    std::string m_disconnectReason;
    std::thread m_thread;
};

} // namespace vmm
