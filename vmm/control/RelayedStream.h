#pragma once

#include "StreamMessages.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vmm {

/// The VMM's end of one relayed stream: a host-initiated connection to a guest vsock port through
/// the vsock device's Unix socket (Firecracker's hybrid handshake, "CONNECT <port>\n" answered by
/// "OK <port>\n"), made without ever blocking the device loop that also serves that socket, and
/// the stream's credit towards the app in both directions. Owned and driven by ControlServer on
/// the loop's thread.
class RelayedStream {
public:
    using Clock = std::chrono::steady_clock;
    enum class Phase { Connecting, Handshake, Open };
    /// The "port" of a stream to a plain Unix socket of the VMM's own (the display's VNC
    /// server): no CONNECT handshake, open as soon as connected.
    static constexpr uint32_t kDirectPort = 0;

    /// Starts connecting to `udsPath` for guest port `port` (or kDirectPort); the handshake must
    /// finish before `deadline`.
    static Result<std::unique_ptr<RelayedStream>> connect(
        StreamId stream, uint32_t port, const std::string& udsPath, Clock::time_point deadline);

    StreamId id() const { return m_id; }
    int fd() const { return m_fd.get(); }
    Phase phase() const { return m_phase; }
    Clock::time_point deadline() const { return m_deadline; }

    /// The epoll events the stream needs now; `outputHasRoom`: the control channel can take more.
    uint32_t wantedEvents(bool outputHasRoom) const;

    /// Connecting: tries connect() again (the listener's backlog was full).
    Result<void> retryConnect();
    /// Handshake: sends the CONNECT line and reads the reply. True once the stream is open.
    Result<bool> advanceHandshake();

    /// Open: reads what the guest sent, at most the app's remaining credit and one chunk. Empty
    /// when nothing is there; nothing (nullopt) at the guest's end of stream.
    Result<std::optional<std::vector<uint8_t>>> readFromGuest();
    /// App data for the guest; fails when the app overran its window or had ended the stream.
    Result<void> queueFromApp(std::span<const uint8_t> bytes);
    /// Writes queued app data to the guest; half-closes once the app ended and all is written.
    Result<void> flushToGuest();
    /// The app will send nothing more.
    Result<void> endFromApp();
    /// The app consumed `bytes` of the guest's data; fails when it acknowledges more than it got.
    Result<void> ackFromApp(uint32_t bytes);
    /// Bytes written to the guest and not yet acknowledged to the app, taken when worth a
    /// message (or whenever some are owed, with `all`); 0 when none.
    uint32_t takeAckForApp(bool all);

    bool guestEnded() const { return m_guestEnded; }
    /// Both directions ended and everything was written: the stream can close.
    bool isFinished() const;
    /// Whether queued app data waits for the guest.
    bool hasDataForGuest() const { return m_toGuestSent < m_toGuest.size(); }

private:
    RelayedStream(StreamId stream, uint32_t port, std::string udsPath, UniqueFd fd,
        Clock::time_point deadline);
    /// One connect() attempt; Handshake on success, stays Connecting while the backlog is full.
    Result<void> tryConnect();

    StreamId m_id;
    uint32_t m_port;
    std::string m_udsPath;
    UniqueFd m_fd;
    Clock::time_point m_deadline;
    Phase m_phase = Phase::Connecting;
    std::string m_handshake;
    size_t m_handshakeSent = 0;
    std::vector<uint8_t> m_toGuest;
    size_t m_toGuestSent = 0;
    uint64_t m_ackOwed = 0; // written to the guest, not yet acknowledged to the app
    uint64_t m_unackedToApp = 0; // sent to the app, not yet acknowledged by it
    bool m_appEnded = false;
    bool m_guestEnded = false;
    bool m_writeShutDown = false;
};

} // namespace vmm
