// ControlServer's relayed streams: stream-open and friends from the app, the guest side's socket
// events, and the credit in both directions. (Split from ControlServer.cpp by responsibility.)

#include "ControlServer.h"
#include "protocol/ErrorMessage.h"

#include <sys/epoll.h>

namespace vmm {

Result<void> ControlServer::handleStreamFrame(const Frame& frame)
{
    auto kind = static_cast<ControlKind>(frame.kind);
    if (kind == ControlKind::StreamOpen) {
        StreamOpen open = VMM_TRY(StreamOpen::fromJson(frame.header));
        if (m_streams.contains(open.stream))
            return failure(Error::invalid(
                "stream-open", "stream " + std::to_string(open.stream) + " is already open"));
        openStream(open);
        return {};
    }
    if (kind == ControlKind::StreamOpened || kind == ControlKind::StreamClosed)
        return failure(Error::invalid("control channel",
            "the app sent " + std::string(controlKindName(frame.kind)) +
                ", which only the VMM sends"));
    if (kind == ControlKind::StreamAck) {
        StreamAck ack = VMM_TRY(StreamAck::fromJson(frame.header));
        auto found = m_streams.find(ack.stream);
        if (found == m_streams.end())
            return {}; // raced with the stream's close
        VMM_TRY(found->second.stream->ackFromApp(ack.bytes));
        updateStreamInterest(*found->second.stream);
        return {};
    }
    StreamReference reference = VMM_TRY(StreamReference::fromJson(frame.header));
    if (kind != ControlKind::StreamData && !frame.payload.empty())
        return failure(Error::invalid(controlKindName(frame.kind), "carries a payload"));
    auto found = m_streams.find(reference.stream);
    if (kind == ControlKind::StreamData) {
        if (frame.payload.empty() || frame.payload.size() > kMaxStreamChunkBytes)
            return failure(Error::invalid("stream-data",
                "payload of " + std::to_string(frame.payload.size()) + " bytes (1.." +
                    std::to_string(kMaxStreamChunkBytes) + ")"));
        if (found == m_streams.end())
            return {}; // raced with the stream's close: the data has nowhere to go
        RelayedStream& stream = *found->second.stream;
        VMM_TRY(stream.queueFromApp(frame.payload));
        serviceStream(stream, EPOLLOUT);
        return {};
    }
    if (found == m_streams.end())
        return {};
    RelayedStream& stream = *found->second.stream;
    if (kind == ControlKind::StreamEnd) {
        VMM_TRY(stream.endFromApp());
        serviceStream(stream, 0);
        return {};
    }
    // StreamClose: the app is done with it, whatever state it is in.
    closeStream(reference.stream, {});
    return {};
}

void ControlServer::openStream(const StreamOpen& open)
{
    StreamClosed refusal {open.stream, {}};
    bool display = open.target == StreamOpen::Target::Display;
    std::string path = display ? m_target.displaySocketPath() : m_target.vsockPath();
    if (m_streams.size() >= m_options.maxStreams)
        refusal.error =
            "busy: at most " + std::to_string(m_options.maxStreams) + " streams at once";
    else if (m_state == MachineState::Stopping || m_state == MachineState::Stopped)
        refusal.error = "the session is stopping";
    else if (path.empty())
        refusal.error = display ? "the session has no display" : "the session has no vsock device";
    if (!refusal.error.empty()) {
        queueFrame(refusal.toFrame());
        return;
    }
    auto stream = RelayedStream::connect(open.stream, display ? RelayedStream::kDirectPort : open.port,
        path, Clock::now() + m_options.streamOpenTimeout);
    if (!stream) {
        refusal.error = stream.error().message();
        queueFrame(refusal.toFrame());
        return;
    }
    RelayedStream& added =
        *m_streams.emplace(open.stream, StreamEntry {std::move(*stream)}).first->second.stream;
    serviceStream(added, EPOLLOUT);
}

void ControlServer::onStream(StreamId id, uint32_t events)
{
    auto found = m_streams.find(id);
    if (found == m_streams.end())
        return;
    serviceStream(*found->second.stream, events);
    flushOutput();
    updateInterest();
    publishDeadline();
}

// Moves what can move on one stream now. May close (and destroy) the stream.
void ControlServer::serviceStream(RelayedStream& stream, uint32_t events)
{
    StreamId id = stream.id();
    if (stream.phase() != RelayedStream::Phase::Open) {
        auto opened = stream.advanceHandshake();
        if (!opened) {
            closeStream(id, opened.error().message());
            return;
        }
        if (!*opened) {
            updateStreamInterest(stream);
            return;
        }
        queueFrame(StreamReference {id}.toFrame(ControlKind::StreamOpened));
        events |= EPOLLIN | EPOLLOUT;
    }
    if (stream.hasDataForGuest() || (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        if (auto flushed = stream.flushToGuest(); !flushed) {
            closeStream(id, "writing to the guest: " + flushed.error().message());
            return;
        }
        if (uint32_t ack = stream.takeAckForApp(!stream.hasDataForGuest()))
            queueFrame(StreamAck {id, ack}.toFrame());
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        // One chunk per event: the other streams and the devices get their turn.
        if (outputHasRoom() && !stream.guestEnded()) {
            auto read = stream.readFromGuest();
            if (!read) {
                closeStream(id, "reading from the guest: " + read.error().message());
                return;
            }
            if (!*read)
                queueFrame(StreamReference {id}.toFrame(ControlKind::StreamEnd));
            else if (!(*read)->empty())
                queueFrame(
                    StreamReference {id}.toFrame(ControlKind::StreamData, std::move(**read)));
        }
    }
    if (stream.isFinished()) {
        closeStream(id, {});
        return;
    }
    updateStreamInterest(stream);
}

void ControlServer::closeStream(StreamId id, const std::string& error)
{
    auto found = m_streams.find(id);
    if (found == m_streams.end())
        return;
    StreamEntry& entry = found->second;
    if (entry.registered) {
        if (EventLoop* loop = m_loop.load())
            loop->remove(entry.stream->fd());
    }
    m_streams.erase(found);
    if (m_open.load())
        queueFrame(StreamClosed {id, error}.toFrame());
}

} // namespace vmm
