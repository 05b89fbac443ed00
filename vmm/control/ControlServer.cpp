#include "ControlServer.h"

#include "ControlEvents.h"
#include "protocol/ErrorMessage.h"
#include "protocol/FrameEncoder.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <poll.h>

#include <sys/epoll.h>
#include <sys/socket.h>

namespace vmm {

namespace {
constexpr size_t kReadChunk = 64 * 1024;
// Reads of the control socket per loop round, so that one busy app cannot starve the devices.
constexpr int kReadsPerRound = 4;
constexpr auto kConsoleRetry = std::chrono::milliseconds(10);
constexpr auto kConnectRetry = std::chrono::milliseconds(20);
constexpr size_t kMaxHeldEvents = 256; // events before the hello: one per dataset and a few more
} // namespace

ControlServer::ControlServer(
    UniqueFd socket, ControlTarget& target, ControlServerOptions options, EventFd deadlineChanged)
    : m_socket(std::move(socket))
    , m_target(target)
    , m_options(std::move(options))
    , m_deadlineChanged(std::move(deadlineChanged))
    , m_console(m_options.consoleBufferBytes)
{
}

ControlServer::~ControlServer()
{
    if (m_loop.load())
        detach();
}

Result<std::unique_ptr<ControlServer>> ControlServer::create(
    UniqueFd socket, ControlTarget& target, ControlServerOptions options)
{
    if (!socket.isValid())
        return failure(Error::invalid("control channel", "no socket"));
    int type = 0;
    socklen_t length = sizeof type;
    if (::getsockopt(socket.get(), SOL_SOCKET, SO_TYPE, &type, &length) < 0)
        return failure(Error::fromErrno("getsockopt", errno, "the control fd is not a socket"));
    if (type != SOCK_STREAM)
        return failure(Error::invalid("control channel", "the control fd is not a stream socket"));
    EventFd changed = VMM_TRY(EventFd::create());
    return std::unique_ptr<ControlServer>(
        new ControlServer(std::move(socket), target, std::move(options), std::move(changed)));
}

void ControlServer::consoleOutput(std::span<const uint8_t> bytes)
{
    if (!m_console.append(bytes))
        return;
    if (EventLoop* loop = m_loop.load()) {
        loop->post([this] {
            drainConsole(false);
            updateInterest();
        });
    }
}

Result<void> ControlServer::attach(EventLoop& loop)
{
    m_started = Clock::now();
    m_helloDeadline = m_started + m_options.helloTimeout;
    m_loop.store(&loop);
    updateInterest();
    publishDeadline();
    return {};
}

void ControlServer::setRegistration(
    int fd, uint32_t events, bool& registered, uint32_t& current, EventLoop::Callback callback)
{
    EventLoop* loop = m_loop.load();
    if (!loop)
        return;
    // No interest at all: unregister, so that a hung-up peer cannot wake the loop over and over.
    if (events == 0) {
        if (registered)
            loop->remove(fd);
        registered = false;
        current = 0;
        return;
    }
    if (registered && current == events)
        return;
    Result<void> done =
        registered ? loop->modify(fd, events) : loop->add(fd, events, std::move(callback));
    if (!done) {
        failChannel(ErrorMessage::kIo, "control channel: " + done.error().message());
        return;
    }
    registered = true;
    current = events;
}

void ControlServer::updateInterest()
{
    if (!m_open.load()) {
        setRegistration(m_socket.get(), 0, m_registered, m_interest, {});
        return;
    }
    uint32_t events = 0;
    if (outputHasRoom())
        events |= EPOLLIN;
    if (pendingOutput() > 0)
        events |= EPOLLOUT;
    setRegistration(m_socket.get(), events, m_registered, m_interest,
        [this](uint32_t ready) { onSocket(ready); });
    for (auto& [id, entry] : m_streams)
        updateStreamInterest(*entry.stream);
}

void ControlServer::updateStreamInterest(RelayedStream& stream)
{
    auto found = m_streams.find(stream.id());
    if (found == m_streams.end())
        return;
    StreamEntry& entry = found->second;
    StreamId id = stream.id();
    setRegistration(stream.fd(), stream.wantedEvents(outputHasRoom()), entry.registered,
        entry.interest, [this, id](uint32_t ready) { onStream(id, ready); });
}

void ControlServer::onSocket(uint32_t events)
{
    if (!m_open.load())
        return;
    if (events & (EPOLLOUT | EPOLLERR))
        flushOutput();
    for (int round = 0; round < kReadsPerRound && m_open.load() && outputHasRoom() &&
         (events & (EPOLLIN | EPOLLHUP | EPOLLERR));
         ++round) {
        std::array<uint8_t, kReadChunk> buffer;
        ssize_t got = ::recv(m_socket.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (got <= 0) {
            loseChannel(got == 0 ? "the app closed the control channel"
                                 : "control channel: " + Error::fromErrno("recv", errno).message());
            return;
        }
        auto frames = m_decoder.feed(std::span(buffer).first(static_cast<size_t>(got)));
        if (!frames) {
            failChannel(ErrorMessage::kProtocol, frames.error().message());
            return;
        }
        for (Frame& frame : *frames) {
            if (!m_open.load())
                return;
            handleFrame(std::move(frame));
        }
    }
    drainConsole(false);
    flushOutput();
    updateInterest();
    publishDeadline();
}

void ControlServer::handleFrame(Frame frame)
{
    if (!m_helloDone) {
        if (frame.kind != toWire(MessageKind::Hello)) {
            failChannel(ErrorMessage::kProtocol,
                "expected hello, got " + std::string(controlKindName(frame.kind)));
            return;
        }
        auto hello = Hello::fromJson(frame.header);
        if (!hello) {
            failChannel(ErrorMessage::kInvalid, hello.error().message());
            return;
        }
        if (auto compatible =
                Hello::checkCompatible(*hello, kControlProtocolName, kControlProtocolVersion);
            !compatible) {
            failChannel(ErrorMessage::kVersion, compatible.error().message());
            return;
        }
        m_helloDone = true;
        queueFrame(
            Hello {std::string(kControlProtocolName), kControlProtocolVersion, m_options.software}
                .toFrame());
        queueFrame(StateEvent {m_state}.toFrame());
        for (const Frame& held : m_heldEvents)
            queueFrame(held);
        m_heldEvents.clear();
        return;
    }
    if (frame.kind == toWire(MessageKind::Error))
        return; // the app's complaint about something we sent: nothing to answer
    if (frame.kind == toWire(MessageKind::Hello)) {
        failChannel(ErrorMessage::kProtocol, "a second hello");
        return;
    }
    Result<void> handled = frame.kind >= toWire(ControlKind::StreamOpen) &&
            frame.kind <= toWire(ControlKind::StreamAck)
        ? handleStreamFrame(frame)
        : handleCommand(frame);
    if (!handled)
        failChannel(ErrorMessage::kInvalid, handled.error().message());
}

ControlStatus ControlServer::currentStatus()
{
    ControlStatus status = m_target.status();
    status.state = m_state;
    status.uptimeMs = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - m_started).count());
    return status;
}

Result<void> ControlServer::handleCommand(const Frame& frame)
{
    auto kind = static_cast<ControlKind>(frame.kind);
    switch (kind) {
    case ControlKind::Status: {
        CommandHeader command = VMM_TRY(CommandHeader::fromJson(frame.header));
        ControlReply reply;
        reply.id = command.id;
        reply.status = currentStatus();
        queueReply(reply);
        return {};
    }
    case ControlKind::Pause:
    case ControlKind::Resume: {
        CommandHeader command = VMM_TRY(CommandHeader::fromJson(frame.header));
        if (m_state == MachineState::Stopping || m_state == MachineState::Stopped) {
            queueReply(ControlReply::failed(command.id, "the session is stopping"));
            return {};
        }
        MachineState wanted =
            kind == ControlKind::Pause ? MachineState::Paused : MachineState::Running;
        if (wanted == MachineState::Paused)
            m_target.pause();
        else
            m_target.resume();
        ControlReply reply;
        reply.id = command.id;
        queueReply(reply);
        setState(wanted);
        return {};
    }
    case ControlKind::Stop: {
        StopCommand command = VMM_TRY(StopCommand::fromJson(frame.header));
        ControlReply reply;
        reply.id = command.id;
        queueReply(reply);
        // A paused guest cannot shut itself down: a clean stop runs it again first.
        if (m_state == MachineState::Paused && !command.force)
            m_target.resume();
        setState(MachineState::Stopping);
        m_target.stop(
            command.force, command.force ? "stopped by the app" : "stop requested by the app");
        return {};
    }
    case ControlKind::ConsoleInput: {
        CommandHeader command = VMM_TRY(CommandHeader::fromJson(frame.header));
        if (frame.payload.size() > kMaxStreamChunkBytes)
            return failure(Error::invalid(
                "console-input", "more than " + std::to_string(kMaxStreamChunkBytes) + " bytes"));
        if (m_consoleInput.size() + frame.payload.size() > m_options.consoleInputBytes) {
            queueReply(ControlReply::failed(command.id, "busy: the guest console is not reading"));
            return {};
        }
        m_consoleInput.insert(m_consoleInput.end(), frame.payload.begin(), frame.payload.end());
        retryConsoleInput();
        ControlReply reply;
        reply.id = command.id;
        queueReply(reply);
        return {};
    }
    case ControlKind::MetricsRequest: {
        CommandHeader command = VMM_TRY(CommandHeader::fromJson(frame.header));
        ControlReply reply;
        reply.id = command.id;
        HostMetrics metrics = m_target.metrics();
        metrics.uptimeMs = currentStatus().uptimeMs;
        metrics.consoleDroppedBytes = m_console.totalDropped();
        reply.metrics = std::move(metrics);
        queueReply(reply);
        return {};
    }
    case ControlKind::SubscribeMetrics: {
        SubscribeMetricsCommand command = VMM_TRY(SubscribeMetricsCommand::fromJson(frame.header));
        m_metricsIntervalMs = command.intervalMs;
        m_nextMetrics = command.intervalMs == 0
            ? Clock::time_point::max()
            : Clock::now() + std::chrono::milliseconds(command.intervalMs);
        ControlReply reply;
        reply.id = command.id;
        queueReply(reply);
        return {};
    }
    case ControlKind::AddDataset: {
        AddDatasetCommand command = VMM_TRY(AddDatasetCommand::fromJson(frame.header));
        if (m_state == MachineState::Stopping || m_state == MachineState::Stopped) {
            queueReply(ControlReply::failed(command.id, "the session is stopping"));
            return {};
        }
        if (m_state == MachineState::Paused) { // the guest could not mount it
            queueReply(ControlReply::failed(
                command.id, "the session is paused; resume it, then add the dataset"));
            return {};
        }
        // Answered later, from whichever thread finishes the work: back through the loop.
        m_target.addDataset(command, [this](ControlReply reply) { postReply(std::move(reply)); });
        return {};
    }
    default:
        break;
    }
    if (frame.kind >= 0x0200 && frame.kind <= 0x02ff && controlKindName(frame.kind) != "unknown")
        return failure(Error::invalid("control channel",
            "the app sent " + std::string(controlKindName(frame.kind)) +
                ", which only the VMM sends"));
    // An unknown kind may be a newer minor version's request: refuse it, keep the channel.
    queueFrame(ErrorMessage {std::string(ErrorMessage::kUnsupported),
        "unsupported frame kind " + std::to_string(frame.kind)}
                   .toFrame());
    return {};
}

void ControlServer::queueFrame(const Frame& frame)
{
    auto bytes = FrameEncoder::encode(frame);
    if (!bytes)
        return; // our own frames fit the caps; a reply that cannot is replaced in queueReply()
    if (m_outputSent > 0 && m_outputSent == m_output.size()) {
        m_output.clear();
        m_outputSent = 0;
    } else if (m_outputSent > m_options.outputLimitBytes) {
        m_output.erase(m_output.begin(), m_output.begin() + static_cast<ptrdiff_t>(m_outputSent));
        m_outputSent = 0;
    }
    m_output.insert(m_output.end(), bytes->begin(), bytes->end());
}

void ControlServer::queueReply(const ControlReply& reply)
{
    Frame frame = reply.toFrame();
    if (!FrameEncoder::encode(frame)) {
        queueFrame(ControlReply::failed(reply.id, "the reply would exceed the frame size limit")
                       .toFrame());
        return;
    }
    queueFrame(frame);
}

void ControlServer::postReply(ControlReply reply)
{
    EventLoop* loop = m_loop.load();
    if (!loop)
        return; // detached: the session is over and the channel has said so
    loop->post([this, reply = std::move(reply)] {
        if (!m_open.load())
            return;
        queueReply(reply);
        flushOutput();
        updateInterest();
    });
}

void ControlServer::queueMetrics()
{
    HostMetrics metrics = m_target.metrics();
    metrics.uptimeMs = currentStatus().uptimeMs;
    metrics.consoleDroppedBytes = m_console.totalDropped();
    queueFrame(makeControlFrame(ControlKind::Metrics, metrics.toJson()));
}

void ControlServer::setState(MachineState state)
{
    if (state == m_state)
        return;
    m_state = state;
    if (m_helloDone && m_open.load())
        queueFrame(StateEvent {state}.toFrame());
    if (m_loop.load()) {
        flushOutput();
        updateInterest();
    }
}

void ControlServer::sendEvent(const Frame& frame)
{
    if (!m_open.load())
        return;
    if (!m_helloDone) {
        if (m_heldEvents.size() < kMaxHeldEvents)
            m_heldEvents.push_back(frame);
        return;
    }
    queueFrame(frame);
    if (m_loop.load()) {
        flushOutput();
        updateInterest();
    }
}

void ControlServer::retryConsoleInput()
{
    if (m_consoleInput.empty())
        return;
    size_t accepted = std::min(m_target.queueConsoleInput(m_consoleInput), m_consoleInput.size());
    m_consoleInput.erase(
        m_consoleInput.begin(), m_consoleInput.begin() + static_cast<ptrdiff_t>(accepted));
}

void ControlServer::drainConsole(bool all)
{
    if (!m_helloDone || !m_open.load())
        return;
    while (all || outputHasRoom()) {
        size_t room = all
            ? kMaxStreamChunkBytes
            : std::min(kMaxStreamChunkBytes, m_options.outputLimitBytes - pendingOutput());
        ConsoleBuffer::Taken taken = m_console.take(room);
        if (taken.dropped > 0)
            queueFrame(ConsoleDroppedEvent {taken.dropped, m_console.totalDropped()}.toFrame());
        if (taken.bytes.empty())
            return;
        queueFrame(makeControlFrame(
            ControlKind::ConsoleOutputBytes, nlohmann::json::object(), std::move(taken.bytes)));
    }
}

void ControlServer::flushOutput()
{
    if (!m_open.load())
        return;
    while (pendingOutput() > 0) {
        ssize_t sent = ::send(m_socket.get(), m_output.data() + m_outputSent, pendingOutput(),
            MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (sent < 0) {
            loseChannel("control channel: " + Error::fromErrno("send", errno).message());
            return;
        }
        m_outputSent += static_cast<size_t>(sent);
    }
    m_output.clear();
    m_outputSent = 0;
}

void ControlServer::failChannel(std::string_view code, const std::string& message)
{
    if (!m_open.load())
        return;
    queueFrame(ErrorMessage {std::string(code), message.substr(0, 4000)}.toFrame());
    flushOutput(); // best effort: the socket takes a small frame unless the app stopped reading
    loseChannel("control channel: " + message);
}

void ControlServer::loseChannel(const std::string& why)
{
    if (!m_open.exchange(false))
        return;
    updateInterest();
    std::vector<StreamId> ids;
    for (auto& [id, entry] : m_streams)
        ids.push_back(id);
    for (StreamId id : ids)
        closeStream(id, "the control channel closed");
    m_output.clear();
    m_outputSent = 0;
    // The machine is told before the app sees the channel close.
    m_target.stop(true, why);
    ::shutdown(m_socket.get(), SHUT_RDWR);
}

void ControlServer::tick()
{
    Clock::time_point now = Clock::now();
    if (m_open.load() && !m_helloDone && now >= m_helloDeadline) {
        failChannel(ErrorMessage::kProtocol, "no hello within the time limit");
        return;
    }
    retryConsoleInput();
    std::vector<std::pair<StreamId, std::string>> expired;
    for (auto& [id, entry] : m_streams) {
        RelayedStream& stream = *entry.stream;
        if (stream.phase() == RelayedStream::Phase::Open)
            continue;
        if (now >= stream.deadline()) {
            expired.emplace_back(id, "the guest did not answer in time");
            continue;
        }
        if (auto retried = stream.retryConnect(); !retried)
            expired.emplace_back(id, retried.error().message());
    }
    for (auto& [id, error] : expired)
        closeStream(id, error);
    if (m_open.load() && m_helloDone && m_metricsIntervalMs > 0 && now >= m_nextMetrics) {
        queueMetrics();
        m_nextMetrics =
            std::max(m_nextMetrics + std::chrono::milliseconds(m_metricsIntervalMs), now);
    }
    drainConsole(false);
    flushOutput();
    updateInterest();
    publishDeadline();
}

ControlServer::Clock::time_point ControlServer::nextDeadline() const
{
    int64_t ticks = m_deadlineTicks.load();
    if (ticks == INT64_MAX)
        return Clock::time_point::max();
    return Clock::time_point(Clock::duration(ticks));
}

void ControlServer::publishDeadline()
{
    Clock::time_point next = Clock::time_point::max();
    Clock::time_point now = Clock::now();
    if (m_open.load()) {
        if (!m_helloDone)
            next = std::min(next, m_helloDeadline);
        if (!m_consoleInput.empty())
            next = std::min(next, now + kConsoleRetry);
        if (m_metricsIntervalMs > 0)
            next = std::min(next, m_nextMetrics);
        for (auto& [id, entry] : m_streams) {
            if (entry.stream->phase() == RelayedStream::Phase::Connecting)
                next = std::min(next, now + kConnectRetry);
            else if (entry.stream->phase() == RelayedStream::Phase::Handshake)
                next = std::min(next, entry.stream->deadline());
        }
    }
    int64_t ticks = next == Clock::time_point::max() ? INT64_MAX : next.time_since_epoch().count();
    int64_t previous = m_deadlineTicks.exchange(ticks);
    if (ticks < previous)
        m_deadlineChanged.signal();
}

void ControlServer::detach()
{
    std::vector<StreamId> ids;
    for (auto& [id, entry] : m_streams)
        ids.push_back(id);
    for (StreamId id : ids)
        closeStream(id, "the session ended");
    setRegistration(m_socket.get(), 0, m_registered, m_interest, {});
    m_loop.store(nullptr);
    m_metricsIntervalMs = 0;
    m_consoleInput.clear();
    drainConsole(true);
    m_deadlineTicks.store(INT64_MAX);
}

Result<void> ControlServer::sendNow(const Frame& frame, std::chrono::milliseconds timeout)
{
    if (!m_open.load())
        return failure(Error::invalid("control channel", "closed"));
    if (!m_helloDone)
        return failure(Error::invalid("control channel", "the app never said hello"));
    queueFrame(frame);
    Clock::time_point deadline = Clock::now() + timeout;
    for (;;) {
        flushOutput();
        if (!m_open.load())
            return failure(Error::invalid("control channel", "the app went away"));
        if (pendingOutput() == 0)
            return {};
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            return failure(
                Error::fromErrno("control channel", ETIMEDOUT, "the app is not reading"));
        pollfd entry {m_socket.get(), POLLOUT, 0};
        ::poll(&entry, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    }
}

void ControlServer::close()
{
    if (m_loop.load())
        detach();
    if (m_open.exchange(false))
        ::shutdown(m_socket.get(), SHUT_RDWR);
    m_socket.reset();
}

} // namespace vmm
