#include "RelayedStream.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

namespace vmm {

namespace {
constexpr size_t kMaxHandshakeReply = 32;
// Acknowledge in batches: one ack per this many bytes written to the guest.
constexpr uint64_t kAckBatchBytes = 32 * 1024;

std::string printable(std::string_view text)
{
    std::string result;
    for (char c : text)
        result += (c >= 0x20 && c < 0x7f) ? c : '?';
    return result;
}
} // namespace

RelayedStream::RelayedStream(
    StreamId stream, uint32_t port, std::string udsPath, UniqueFd fd, Clock::time_point deadline)
    : m_id(stream)
    , m_port(port)
    , m_udsPath(std::move(udsPath))
    , m_fd(std::move(fd))
    , m_deadline(deadline)
    , m_handshake(port == kDirectPort ? std::string() : "CONNECT " + std::to_string(port) + "\n")
{
}

Result<std::unique_ptr<RelayedStream>> RelayedStream::connect(
    StreamId stream, uint32_t port, const std::string& udsPath, Clock::time_point deadline)
{
    if (udsPath.empty() || udsPath.size() >= sizeof(sockaddr_un::sun_path))
        return failure(Error::invalid("stream-open", "no usable vsock socket path"));
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.isValid())
        return failure(Error::fromErrno("socket", errno, "relayed stream"));
    std::unique_ptr<RelayedStream> relayed(
        new RelayedStream(stream, port, udsPath, std::move(fd), deadline));
    VMM_TRY(relayed->tryConnect());
    return relayed;
}

Result<void> RelayedStream::tryConnect()
{
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, m_udsPath.c_str(), m_udsPath.size() + 1);
    // Safety: sockaddr_un is a sockaddr by the sockets API's layout rules.
    int connected =
        ::connect(m_fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
    // A non-blocking AF_UNIX connect either succeeds at once or finds the backlog full (EAGAIN).
    if (connected == 0 || errno == EISCONN) {
        m_phase = Phase::Handshake;
        return {};
    }
    if (errno == EAGAIN || errno == EINTR || errno == EINPROGRESS)
        return {};
    return failure(Error::fromErrno("connect", errno, "the vsock socket"));
}

Result<void> RelayedStream::retryConnect()
{
    if (m_phase != Phase::Connecting)
        return {};
    return tryConnect();
}

uint32_t RelayedStream::wantedEvents(bool outputHasRoom) const
{
    switch (m_phase) {
    case Phase::Connecting:
        return 0;
    case Phase::Handshake:
        return m_handshakeSent < m_handshake.size() ? EPOLLOUT : EPOLLIN;
    case Phase::Open:
        break;
    }
    uint32_t events = 0;
    if (!m_guestEnded && outputHasRoom && m_unackedToApp < kStreamWindowBytes)
        events |= EPOLLIN;
    if (hasDataForGuest())
        events |= EPOLLOUT;
    return events;
}

Result<bool> RelayedStream::advanceHandshake()
{
    if (m_phase == Phase::Open)
        return true;
    if (m_phase != Phase::Handshake)
        return false;
    if (m_handshake.empty()) {
        // A direct stream (the display): open once connected.
        m_phase = Phase::Open;
        return true;
    }
    while (m_handshakeSent < m_handshake.size()) {
        ssize_t sent = ::send(m_fd.get(), m_handshake.data() + m_handshakeSent,
            m_handshake.size() - m_handshakeSent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return false;
        if (sent < 0)
            return failure(Error::fromErrno("send", errno, "vsock handshake"));
        m_handshakeSent += static_cast<size_t>(sent);
    }
    // Peek, so that whatever follows the reply line stays for the stream.
    char reply[kMaxHandshakeReply];
    ssize_t got = ::recv(m_fd.get(), reply, sizeof reply, MSG_PEEK | MSG_DONTWAIT);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return false;
    if (got < 0)
        return failure(Error::fromErrno("recv", errno, "vsock handshake"));
    if (got == 0)
        return failure(Error::invalid(
            "stream-open", "guest port " + std::to_string(m_port) + " refused the connection"));
    std::string_view text(reply, static_cast<size_t>(got));
    size_t newline = text.find('\n');
    if (newline == std::string_view::npos) {
        if (text.size() == sizeof reply)
            return failure(Error::invalid("stream-open", "handshake reply too long"));
        return false;
    }
    std::string_view line = text.substr(0, newline);
    bool digits = line.size() > 3 && line.find_first_not_of("0123456789", 3) == std::string::npos;
    if (!line.starts_with("OK ") || !digits)
        return failure(Error::invalid("stream-open",
            "guest port " + std::to_string(m_port) + " refused: " + printable(line)));
    char discard[kMaxHandshakeReply];
    if (::recv(m_fd.get(), discard, newline + 1, MSG_DONTWAIT) != static_cast<ssize_t>(newline + 1))
        return failure(Error::fromErrno("recv", errno, "vsock handshake"));
    m_phase = Phase::Open;
    return true;
}

Result<std::optional<std::vector<uint8_t>>> RelayedStream::readFromGuest()
{
    if (m_guestEnded || m_unackedToApp >= kStreamWindowBytes)
        return std::vector<uint8_t> {};
    size_t want = std::min<uint64_t>(kMaxStreamChunkBytes, kStreamWindowBytes - m_unackedToApp);
    std::vector<uint8_t> bytes(want);
    ssize_t got;
    do {
        got = ::recv(m_fd.get(), bytes.data(), bytes.size(), MSG_DONTWAIT);
    } while (got < 0 && errno == EINTR);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return std::vector<uint8_t> {};
    if (got < 0)
        return failure(Error::fromErrno("recv", errno, "relayed stream"));
    if (got == 0) {
        m_guestEnded = true;
        return std::optional<std::vector<uint8_t>> {};
    }
    bytes.resize(static_cast<size_t>(got));
    m_unackedToApp += bytes.size();
    return bytes;
}

Result<void> RelayedStream::queueFromApp(std::span<const uint8_t> bytes)
{
    if (m_appEnded)
        return failure(Error::invalid("stream-data", "data after stream-end"));
    if (m_phase != Phase::Open)
        return failure(Error::invalid("stream-data", "data before stream-opened"));
    // Unacknowledged: what waits for the guest and what was written but not yet acknowledged.
    uint64_t unacknowledged = (m_toGuest.size() - m_toGuestSent) + m_ackOwed;
    if (unacknowledged > kStreamWindowBytes || bytes.size() > kStreamWindowBytes - unacknowledged)
        return failure(Error::invalid("stream-data",
            "the app sent more than its window of " + std::to_string(kStreamWindowBytes) +
                " bytes"));
    if (m_toGuestSent > 0 && m_toGuestSent == m_toGuest.size()) {
        m_toGuest.clear();
        m_toGuestSent = 0;
    } else if (m_toGuestSent > kStreamWindowBytes / 2) {
        m_toGuest.erase(
            m_toGuest.begin(), m_toGuest.begin() + static_cast<ptrdiff_t>(m_toGuestSent));
        m_toGuestSent = 0;
    }
    m_toGuest.insert(m_toGuest.end(), bytes.begin(), bytes.end());
    return {};
}

Result<void> RelayedStream::flushToGuest()
{
    while (hasDataForGuest()) {
        ssize_t sent = ::send(m_fd.get(), m_toGuest.data() + m_toGuestSent,
            m_toGuest.size() - m_toGuestSent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return {};
        if (sent < 0)
            return failure(Error::fromErrno("send", errno, "relayed stream"));
        m_toGuestSent += static_cast<size_t>(sent);
        m_ackOwed += static_cast<uint64_t>(sent);
    }
    m_toGuest.clear();
    m_toGuestSent = 0;
    if (m_appEnded && !m_writeShutDown) {
        m_writeShutDown = true;
        ::shutdown(m_fd.get(), SHUT_WR);
    }
    return {};
}

Result<void> RelayedStream::endFromApp()
{
    if (m_appEnded)
        return failure(Error::invalid("stream-end", "the stream had already ended"));
    if (m_phase != Phase::Open)
        return failure(Error::invalid("stream-end", "end before stream-opened"));
    m_appEnded = true;
    return flushToGuest();
}

Result<void> RelayedStream::ackFromApp(uint32_t bytes)
{
    if (bytes > m_unackedToApp)
        return failure(Error::invalid("stream-ack",
            "acknowledges " + std::to_string(bytes) + " bytes, " + std::to_string(m_unackedToApp) +
                " were unacknowledged"));
    m_unackedToApp -= bytes;
    return {};
}

uint32_t RelayedStream::takeAckForApp(bool all)
{
    if (m_ackOwed == 0 || (!all && m_ackOwed < kAckBatchBytes))
        return 0;
    auto bytes = static_cast<uint32_t>(std::min<uint64_t>(m_ackOwed, kStreamWindowBytes));
    m_ackOwed -= bytes;
    return bytes;
}

bool RelayedStream::isFinished() const
{
    return m_phase == Phase::Open && m_appEnded && m_guestEnded && !hasDataForGuest();
}

} // namespace vmm
