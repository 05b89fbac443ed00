// ControlClient's relayed streams: each is pumped between the protocol and the client's end of a
// socketpair, with the protocol's credit in both directions. (Split from ControlClient.cpp by
// responsibility.)

#include "ControlClient.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>

#include <sys/socket.h>

namespace vmm {

namespace {
// Acknowledge in batches: one ack per this many bytes handed to the local end.
constexpr uint64_t kAckBatchBytes = 32 * 1024;
} // namespace

Result<UniqueFd> ControlClient::openStream(uint32_t port, std::chrono::milliseconds timeout)
{
    StreamOpen open;
    open.port = port;
    return openRelayedStream(open, timeout);
}

Result<UniqueFd> ControlClient::openDisplayStream(std::chrono::milliseconds timeout)
{
    StreamOpen open;
    open.target = StreamOpen::Target::Display;
    return openRelayedStream(open, timeout);
}

Result<UniqueFd> ControlClient::openRelayedStream(StreamOpen open, std::chrono::milliseconds timeout)
{
    std::string what = open.target == StreamOpen::Target::Display ? std::string("the display")
                                                                  : "port " + std::to_string(open.port);
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
        return failure(Error::fromErrno("socketpair", errno, "relayed stream"));
    UniqueFd mine(pair[0]);
    UniqueFd theirs(pair[1]);
    int flags = ::fcntl(mine.get(), F_GETFL);
    ::fcntl(mine.get(), F_SETFL, flags | O_NONBLOCK);

    std::unique_lock lock(m_mutex);
    if (!m_connected.load())
        return failure(Error::invalid("stream-open", "disconnected: " + m_disconnectReason));
    StreamId id = m_nextStream++;
    if (m_nextStream == 0)
        m_nextStream = 1;
    Stream& stream = m_streams[id];
    stream.id = id;
    stream.local = std::move(mine);
    open.stream = id;
    queueLocked(open.toFrame());
    m_wake.signal();
    bool done = m_changed.wait_for(lock, timeout, [&] {
        auto found = m_streams.find(id);
        return found == m_streams.end() || found->second.openDone;
    });
    auto found = m_streams.find(id);
    if (found == m_streams.end())
        return failure(Error::invalid("stream-open", "the stream closed while opening"));
    if (!done) {
        // Too late: close it as soon as the VMM opens it.
        found->second.openDone = true;
        found->second.openError = "timed out";
        queueLocked(StreamReference {id}.toFrame(ControlKind::StreamClose));
        found->second.closeSent = true;
        m_streams.erase(found);
        m_wake.signal();
        return failure(Error::fromErrno("stream-open", ETIMEDOUT, what));
    }
    if (!found->second.open) {
        std::string error = found->second.openError;
        m_streams.erase(found);
        return failure(
            Error::invalid("stream-open", what + ": " + error));
    }
    m_wake.signal();
    return theirs;
}

Result<void> ControlClient::dispatchStream(const Frame& frame)
{
    auto kind = static_cast<ControlKind>(frame.kind);
    if (kind == ControlKind::StreamOpen || kind == ControlKind::StreamClose)
        return failure(Error::invalid(
            "control channel", "the VMM sent " + std::string(controlKindName(frame.kind))));
    if (kind == ControlKind::StreamAck) {
        StreamAck ack = VMM_TRY(StreamAck::fromJson(frame.header));
        auto found = m_streams.find(ack.stream);
        if (found == m_streams.end())
            return {};
        if (ack.bytes > found->second.unackedToVmm)
            return failure(Error::invalid("stream-ack", "the VMM acknowledged more than it got"));
        found->second.unackedToVmm -= ack.bytes;
        return {};
    }
    if (kind == ControlKind::StreamClosed) {
        StreamClosed closed = VMM_TRY(StreamClosed::fromJson(frame.header));
        auto found = m_streams.find(closed.stream);
        if (found == m_streams.end())
            return {};
        Stream& stream = found->second;
        if (!stream.openDone) {
            stream.openDone = true;
            stream.openError = closed.error.empty() ? "closed" : closed.error;
            m_changed.notify_all();
            return {};
        }
        stream.remoteClosed = true;
        stream.closeSent = true; // the VMM forgot it: nothing more to tell it
        if (!closed.error.empty()) {
            stream.toLocal.clear(); // a failed stream: the local end sees it end at once
            stream.toLocalSent = 0;
        }
        return {};
    }
    StreamReference reference = VMM_TRY(StreamReference::fromJson(frame.header));
    auto found = m_streams.find(reference.stream);
    if (found == m_streams.end())
        return {};
    Stream& stream = found->second;
    if (kind == ControlKind::StreamOpened) {
        if (stream.openDone)
            return failure(Error::invalid("stream-opened", "the stream was already open"));
        stream.open = true;
        stream.openDone = true;
        m_changed.notify_all();
        return {};
    }
    if (!stream.open)
        return failure(Error::invalid(controlKindName(frame.kind), "before stream-opened"));
    if (kind == ControlKind::StreamEnd) {
        stream.remoteEnded = true;
        serviceStream(stream, 0);
        return {};
    }
    if (kind != ControlKind::StreamData)
        return failure(Error::invalid("control channel", "unexpected stream message"));
    if (stream.remoteEnded)
        return failure(Error::invalid("stream-data", "data after stream-end"));
    size_t pending = stream.toLocal.size() - stream.toLocalSent;
    if (frame.payload.empty() || frame.payload.size() > kMaxStreamChunkBytes ||
        frame.payload.size() > kStreamWindowBytes - pending)
        return failure(Error::invalid("stream-data", "the VMM overran the stream's window"));
    if (stream.toLocalSent == stream.toLocal.size()) {
        stream.toLocal.clear();
        stream.toLocalSent = 0;
    } else if (stream.toLocalSent > kStreamWindowBytes / 2) {
        stream.toLocal.erase(stream.toLocal.begin(),
            stream.toLocal.begin() + static_cast<ptrdiff_t>(stream.toLocalSent));
        stream.toLocalSent = 0;
    }
    stream.toLocal.insert(stream.toLocal.end(), frame.payload.begin(), frame.payload.end());
    serviceStream(stream, POLLOUT);
    return {};
}

void ControlClient::serviceStream(Stream& stream, short revents)
{
    if (!stream.open || !stream.local.isValid())
        return;
    auto dropLocal = [&] {
        if (!stream.closeSent && m_connected.load())
            queueLocked(StreamReference {stream.id}.toFrame(ControlKind::StreamClose));
        stream.closeSent = true;
        stream.remoteClosed = true;
        stream.toLocal.clear();
        stream.toLocalSent = 0;
        stream.local.reset();
    };
    while (stream.toLocalSent < stream.toLocal.size()) {
        ssize_t sent = ::send(stream.local.get(), stream.toLocal.data() + stream.toLocalSent,
            stream.toLocal.size() - stream.toLocalSent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (sent < 0) {
            dropLocal(); // the local end is gone
            return;
        }
        stream.toLocalSent += static_cast<size_t>(sent);
        stream.ackOwed += static_cast<uint64_t>(sent);
    }
    bool drained = stream.toLocalSent == stream.toLocal.size();
    if (stream.ackOwed > 0 && (drained || stream.ackOwed >= kAckBatchBytes) && !stream.closeSent) {
        auto bytes = static_cast<uint32_t>(std::min<uint64_t>(stream.ackOwed, kStreamWindowBytes));
        queueLocked(StreamAck {stream.id, bytes}.toFrame());
        stream.ackOwed -= bytes;
    }
    if (drained && stream.remoteEnded && !stream.localWriteShut) {
        stream.localWriteShut = true;
        ::shutdown(stream.local.get(), SHUT_WR);
    }
    if ((revents & (POLLIN | POLLHUP | POLLERR)) && !stream.localEnded && !stream.closeSent &&
        stream.unackedToVmm < kStreamWindowBytes) {
        size_t want =
            std::min<uint64_t>(kMaxStreamChunkBytes, kStreamWindowBytes - stream.unackedToVmm);
        std::vector<uint8_t> bytes(want);
        ssize_t got = ::recv(stream.local.get(), bytes.data(), bytes.size(), MSG_DONTWAIT);
        if (got > 0) {
            bytes.resize(static_cast<size_t>(got));
            stream.unackedToVmm += bytes.size();
            queueLocked(
                StreamReference {stream.id}.toFrame(ControlKind::StreamData, std::move(bytes)));
        } else if (got == 0) {
            stream.localEnded = true;
            queueLocked(StreamReference {stream.id}.toFrame(ControlKind::StreamEnd));
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            dropLocal();
        }
    }
}

void ControlClient::pruneStreams()
{
    std::erase_if(m_streams, [](const auto& item) {
        const Stream& stream = item.second;
        if (!stream.openDone)
            return false;
        if (!stream.open)
            return false; // the opener removes it
        return stream.remoteClosed && stream.toLocalSent == stream.toLocal.size();
    });
}

} // namespace vmm
