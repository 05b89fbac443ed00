#include "AgentClient.h"

#include "AgentProtocol.h"
#include "ErrorMessage.h"
#include "JsonFields.h"
#include "Sha256.h"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

namespace vmm {

namespace {

constexpr auto kHandshakeTimeout = std::chrono::seconds(5);
constexpr size_t kMaxHandshakeReply = 32;
// A hostile guest must not make the host hold an unbounded listing.
constexpr size_t kMaxOutboxEntries = 100'000;

Error unexpected(std::string_view context, const Frame& frame)
{
    return Error::invalid(context,
        "unexpected " + std::string(messageKindName(frame.kind)) + " frame (kind " +
            std::to_string(frame.kind) + ")");
}

// The handshake reply, for an error message: printable ASCII only.
std::string printable(std::string_view text)
{
    std::string result;
    for (char c : text)
        result += (c >= 0x20 && c < 0x7f) ? c : '?';
    return result;
}

Result<std::string> readHandshakeLine(int fd)
{
    std::string line;
    while (line.size() < kMaxHandshakeReply) {
        pollfd entry {fd, POLLIN, 0};
        int ready = ::poll(&entry, 1,
            static_cast<int>(
                std::chrono::duration_cast<std::chrono::milliseconds>(kHandshakeTimeout).count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return failure(Error::fromErrno("poll", errno, "hybrid vsock handshake"));
        if (ready == 0)
            return failure(Error::fromErrno("hybrid vsock handshake", ETIMEDOUT, "no reply"));
        // One byte at a time: whatever follows the line already belongs to the guest's stream.
        char byte = 0;
        ssize_t got = ::read(fd, &byte, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return failure(Error::fromErrno("read", errno, "hybrid vsock handshake"));
        if (got == 0)
            return failure(Error::invalid("hybrid vsock handshake",
                "the VMM closed the connection (no listener on that port?)"));
        if (byte == '\n')
            return line;
        line += byte;
    }
    return failure(Error::invalid("hybrid vsock handshake", "reply too long: " + printable(line)));
}

} // namespace

AgentClient::AgentClient(UniqueFd stream, Hello peer)
    : m_fd(std::move(stream))
    , m_stream(std::make_unique<FrameStream>(m_fd.get()))
    , m_peer(std::move(peer))
{
}

Result<UniqueFd> AgentClient::connectHybridVsock(const std::string& udsPath, uint32_t port)
{
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (udsPath.empty() || udsPath.size() >= sizeof address.sun_path)
        return failure(Error::invalid("hybrid vsock", "socket path too long: " + udsPath));
    std::memcpy(address.sun_path, udsPath.c_str(), udsPath.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.isValid())
        return failure(Error::fromErrno("socket", errno, "AF_UNIX"));
    // Safety: sockaddr_un is a sockaddr by the sockets API's layout rules.
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0)
        return failure(Error::fromErrno("connect", errno, udsPath));
    std::string request = "CONNECT " + std::to_string(port) + "\n";
    if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size()))
        return failure(Error::fromErrno("send", errno, "hybrid vsock handshake"));
    std::string reply = VMM_TRY(readHandshakeLine(fd.get()));
    bool digits = reply.size() > 3 && reply.find_first_not_of("0123456789", 3) == std::string::npos;
    if (reply.rfind("OK ", 0) != 0 || !digits)
        return failure(Error::invalid("hybrid vsock handshake",
            "port " + std::to_string(port) + " refused: " + printable(reply)));
    return fd;
}

Result<AgentClient> AgentClient::create(UniqueFd stream, std::chrono::milliseconds timeout)
{
    FrameStream frames(stream.get());
    Hello ours {std::string(kAgentProtocolName), kAgentProtocolVersion, "airlock-host"};
    VMM_TRY(frames.send(ours.toFrame(), timeout));
    std::optional<Frame> reply = VMM_TRY(frames.receive(timeout));
    if (!reply)
        return failure(Error::invalid("agent hello", "the guest closed the connection"));
    if (reply->is(MessageKind::Error)) {
        ErrorMessage error = VMM_TRY(ErrorMessage::fromJson(reply->header));
        return failure(error.toError("agent hello"));
    }
    if (!reply->is(MessageKind::Hello))
        return failure(unexpected("agent hello", *reply));
    Hello peer = VMM_TRY(Hello::fromJson(reply->header));
    VMM_TRY(Hello::checkCompatible(peer, kAgentProtocolName, kAgentProtocolVersion));
    if (frames.hasFrames())
        return failure(Error::invalid("agent hello", "the guest spoke before it was asked"));
    return AgentClient(std::move(stream), std::move(peer));
}

Result<Frame> AgentClient::expectFrame(std::string_view context)
{
    std::optional<Frame> frame = VMM_TRY(m_stream->receive());
    if (!frame)
        return failure(Error::invalid(context, "the guest closed the connection"));
    if (frame->is(MessageKind::Error)) {
        ErrorMessage error = VMM_TRY(ErrorMessage::fromJson(frame->header));
        return failure(error.toError(context));
    }
    return std::move(*frame);
}

Result<ExecExited> AgentClient::exec(
    const ExecRequest& request, int stdinFd, const OutputHandler& onOutput)
{
    if ((stdinFd >= 0) != request.hasStdin)
        return failure(Error::invalid("exec", "stdinFd and request.hasStdin disagree"));
    VMM_TRY(m_stream->send(request.toFrame()));
    Frame started = VMM_TRY(expectFrame("exec"));
    if (!started.is(MessageKind::ExecStarted))
        return failure(unexpected("exec", started));
    VMM_TRY(ExecStarted::fromJson(started.header));
    ExecExited exited;
    VMM_TRY(pumpExec(stdinFd, onOutput, exited));
    return exited;
}

Result<void> AgentClient::finishSending()
{
    // A stdin frame half written would put the next request out of step.
    for (;;) {
        VMM_TRY(m_stream->flush());
        if (!m_stream->hasPendingOutput())
            return {};
        pollfd out {m_stream->fd(), POLLOUT, 0};
        if (::poll(&out, 1, -1) < 0 && errno != EINTR)
            return failure(Error::fromErrno("poll", errno, "exec"));
    }
}

Result<void> AgentClient::pumpExec(int stdinFd, const OutputHandler& onOutput, ExecExited& exited)
{
    std::optional<Error> handlerError;
    bool stdinOpen = stdinFd >= 0;
    bool open = true;
    std::array<uint8_t, kAgentStreamChunkBytes> buffer;
    for (;;) {
        // Frames already decoded (possibly with the ExecStarted) come first.
        while (std::optional<Frame> frame = m_stream->takeFrame()) {
            if (frame->is(MessageKind::StdoutData) || frame->is(MessageKind::StderrData)) {
                auto which = frame->is(MessageKind::StdoutData) ? OutputStream::Stdout
                                                                : OutputStream::Stderr;
                if (handlerError)
                    continue;
                if (auto handled = onOutput(which, frame->payload); !handled) {
                    handlerError = handled.error();
                    VMM_TRY(m_stream->queue(ExecSignal {SIGKILL}.toFrame()));
                }
            } else if (frame->is(MessageKind::ExecExited)) {
                exited = VMM_TRY(ExecExited::fromJson(frame->header));
                VMM_TRY(finishSending());
                if (handlerError)
                    return failure(*handlerError);
                return {};
            } else if (frame->is(MessageKind::Error)) {
                ErrorMessage error = VMM_TRY(ErrorMessage::fromJson(frame->header));
                return failure(error.toError("exec"));
            } else {
                return failure(unexpected("exec", *frame));
            }
        }
        if (!open)
            return failure(Error::invalid("exec", "the guest closed the connection"));

        // Output is always read (the guest never waits on us); stdin is read only when the
        // previous frame has gone, so at most one chunk is held here.
        std::array<pollfd, 2> fds {pollfd {m_stream->fd(), POLLIN, 0}, pollfd {-1, POLLIN, 0}};
        if (m_stream->hasPendingOutput())
            fds[0].events |= POLLOUT;
        else if (stdinOpen)
            fds[1].fd = stdinFd;
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            return failure(Error::fromErrno("poll", errno, "exec"));
        }
        if (fds[1].revents != 0) {
            ssize_t got = ::read(stdinFd, buffer.data(), buffer.size());
            if (got < 0 && errno != EINTR && errno != EAGAIN)
                return failure(Error::fromErrno("read", errno, "exec stdin"));
            if (got == 0) {
                stdinOpen = false;
                VMM_TRY(m_stream->queue(makeFrame(MessageKind::StdinEnd)));
            } else if (got > 0) {
                VMM_TRY(m_stream->queue(makeFrame(MessageKind::StdinData, nlohmann::json::object(),
                    std::vector<uint8_t>(buffer.begin(), buffer.begin() + got))));
            }
        }
        VMM_TRY(m_stream->flush());
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0)
            open = VMM_TRY(m_stream->readAvailable());
    }
}

Result<std::vector<OutboxEntry>> AgentClient::listOutbox()
{
    VMM_TRY(m_stream->send(makeFrame(MessageKind::OutboxListRequest)));
    std::vector<OutboxEntry> entries;
    for (;;) {
        Frame frame = VMM_TRY(expectFrame("outbox list"));
        if (frame.is(MessageKind::OutboxEntry)) {
            if (entries.size() >= kMaxOutboxEntries)
                return failure(Error::invalid("outbox list", "more entries than the cap"));
            entries.push_back(VMM_TRY(OutboxEntry::fromJson(frame.header)));
        } else if (frame.is(MessageKind::OutboxListEnd)) {
            OutboxListEnd end = VMM_TRY(OutboxListEnd::fromJson(frame.header));
            if (end.count != entries.size())
                return failure(Error::invalid("outbox list", "the count does not match"));
            return entries;
        } else {
            return failure(unexpected("outbox list", frame));
        }
    }
}

Result<OutboxFileEnd> AgentClient::fetchOutboxFile(
    const std::string& path, const ChunkHandler& onChunk)
{
    VMM_TRY(OutboxPath::validate(path));
    VMM_TRY(m_stream->send(OutboxFetchRequest {path}.toFrame()));
    Frame first = VMM_TRY(expectFrame("outbox fetch"));
    if (!first.is(MessageKind::OutboxFileBegin))
        return failure(unexpected("outbox fetch", first));
    OutboxFileBegin begin = VMM_TRY(OutboxFileBegin::fromJson(first.header));
    if (begin.path != path)
        return failure(Error::invalid("outbox fetch", "the guest answered for another path"));
    Sha256 hash;
    uint64_t received = 0;
    for (;;) {
        Frame frame = VMM_TRY(expectFrame("outbox fetch"));
        if (frame.is(MessageKind::OutboxFileChunk)) {
            JsonFields fields = VMM_TRY(JsonFields::of(frame.header, "OutboxFileChunk"));
            uint64_t offset = VMM_TRY(fields.unsignedInteger("offset", 0, UINT64_MAX));
            if (offset != received || frame.payload.size() > kOutboxChunkBytes)
                return failure(Error::invalid("outbox fetch", "chunk out of order or too big"));
            hash.update(frame.payload);
            received += frame.payload.size();
            VMM_TRY(onChunk(frame.payload));
        } else if (frame.is(MessageKind::OutboxFileEnd)) {
            OutboxFileEnd end = VMM_TRY(OutboxFileEnd::fromJson(frame.header));
            if (end.size != received || end.sha256 != hash.finishHex())
                return failure(Error::invalid("outbox fetch",
                    path + ": the bytes received do not match the guest's size and SHA-256"));
            return end;
        } else {
            return failure(unexpected("outbox fetch", frame));
        }
    }
}

Result<GuestMetrics> AgentClient::metrics()
{
    VMM_TRY(m_stream->send(makeFrame(MessageKind::MetricsRequest)));
    Frame frame = VMM_TRY(expectFrame("metrics"));
    if (!frame.is(MessageKind::Metrics))
        return failure(unexpected("metrics", frame));
    return GuestMetrics::fromJson(frame.header);
}

Result<MountDatasetDone> AgentClient::mountDataset(
    const MountDatasetRequest& request, std::chrono::milliseconds timeout)
{
    VMM_TRY(m_stream->send(request.toFrame(), timeout));
    std::optional<Frame> frame = VMM_TRY(m_stream->receive(timeout));
    if (!frame)
        return failure(Error::invalid("mount dataset", "the guest closed the connection"));
    if (frame->is(MessageKind::Error))
        return failure(VMM_TRY(ErrorMessage::fromJson(frame->header)).toError("mount dataset"));
    if (!frame->is(MessageKind::MountDatasetDone))
        return failure(unexpected("mount dataset", *frame));
    return MountDatasetDone::fromJson(frame->header);
}

Result<void> AgentClient::shutdown()
{
    VMM_TRY(m_stream->send(makeFrame(MessageKind::ShutdownRequest)));
    Frame frame = VMM_TRY(expectFrame("shutdown"));
    if (!frame.is(MessageKind::ShutdownAccepted))
        return failure(unexpected("shutdown", frame));
    return {};
}

} // namespace vmm
