#include "ControlClient.h"

#include "ControlEvents.h"
#include "protocol/ErrorMessage.h"
#include "protocol/FrameEncoder.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <sys/socket.h>

namespace vmm {

namespace {
constexpr size_t kReadChunk = 64 * 1024;
// Output queued towards the VMM beyond which local stream data waits.
constexpr size_t kOutputLimitBytes = 2 * 1024 * 1024;
// Events nobody took: beyond these, new ones are dropped and counted.
constexpr size_t kMaxQueuedEvents = 4096;
constexpr size_t kMaxQueuedEventBytes = 16 * 1024 * 1024;

using Clock = std::chrono::steady_clock;

// What a queued event costs, roughly: its payload and a header's worth.
size_t eventBytes(const Frame& frame)
{
    return frame.payload.size() + 256;
}

Result<void> waitFd(int fd, short events, Clock::time_point deadline)
{
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
            return failure(Error::fromErrno("control channel", ETIMEDOUT, "waiting for the VMM"));
        pollfd entry {fd, events, 0};
        int ready = ::poll(&entry, 1, static_cast<int>(std::min<int64_t>(left.count(), INT32_MAX)));
        if (ready > 0)
            return {};
        if (ready < 0 && errno != EINTR)
            return failure(Error::fromErrno("poll", errno, "control channel"));
    }
}

// Event kinds the VMM may send, each checked by its message's fromJson.
Result<void> validateEvent(const Frame& frame)
{
    switch (static_cast<ControlKind>(frame.kind)) {
    case ControlKind::State:
        return StateEvent::fromJson(frame.header).map([](auto&&) {});
    case ControlKind::ConsoleOutputBytes:
        return {};
    case ControlKind::ConsoleDropped:
        return ConsoleDroppedEvent::fromJson(frame.header).map([](auto&&) {});
    case ControlKind::GuestExit:
        return GuestExitEvent::fromJson(frame.header).map([](auto&&) {});
    case ControlKind::Metrics:
        return HostMetrics::fromJson(frame.header).map([](auto&&) {});
    case ControlKind::ShredReport:
        return ShredReportEvent::fromJson(frame.header).map([](auto&&) {});
    case ControlKind::DatasetManifest:
        return DatasetManifestEvent::fromJson(frame.header).map([](auto&&) {});
    case ControlKind::DatasetVerify:
        return DatasetVerifyEvent::fromJson(frame.header).map([](auto&&) {});
    default:
        break;
    }
    if (frame.kind == toWire(MessageKind::Error))
        return ErrorMessage::fromJson(frame.header).map([](auto&&) {});
    return failure(Error::invalid("control channel",
        "unexpected " + std::string(controlKindName(frame.kind)) + " frame from the VMM"));
}

} // namespace

ControlClient::ControlClient(UniqueFd socket, EventFd wake, Hello peer)
    : m_socket(std::move(socket))
    , m_wake(std::move(wake))
    , m_peer(std::move(peer))
{
}

Result<Hello> ControlClient::handshake(int fd, FrameDecoder& decoder, std::deque<Frame>& early,
    std::chrono::milliseconds timeout, const std::string& software)
{
    Clock::time_point deadline = Clock::now() + timeout;
    Hello ours {std::string(kControlProtocolName), kControlProtocolVersion, software};
    std::vector<uint8_t> bytes = VMM_TRY(FrameEncoder::encode(ours.toFrame()));
    size_t sent = 0;
    while (sent < bytes.size()) {
        ssize_t count =
            ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (count < 0 && (errno == EAGAIN || errno == EINTR)) {
            VMM_TRY(waitFd(fd, POLLOUT, deadline));
            continue;
        }
        if (count < 0)
            return failure(Error::fromErrno("send", errno, "control hello"));
        sent += static_cast<size_t>(count);
    }
    while (early.empty()) {
        VMM_TRY(waitFd(fd, POLLIN, deadline));
        std::array<uint8_t, kReadChunk> buffer;
        ssize_t got = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (got < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (got < 0)
            return failure(Error::fromErrno("recv", errno, "control hello"));
        if (got == 0)
            return failure(Error::invalid("control hello", "the VMM closed the channel"));
        for (Frame& frame :
            VMM_TRY(decoder.feed(std::span(buffer).first(static_cast<size_t>(got)))))
            early.push_back(std::move(frame));
    }
    Frame first = std::move(early.front());
    early.pop_front();
    if (first.kind == toWire(MessageKind::Error)) {
        ErrorMessage error = VMM_TRY(ErrorMessage::fromJson(first.header));
        return failure(error.toError("control hello"));
    }
    if (first.kind != toWire(MessageKind::Hello))
        return failure(Error::invalid(
            "control hello", "expected hello, got " + std::string(controlKindName(first.kind))));
    Hello peer = VMM_TRY(Hello::fromJson(first.header));
    VMM_TRY(Hello::checkCompatible(peer, kControlProtocolName, kControlProtocolVersion));
    return peer;
}

Result<std::unique_ptr<ControlClient>> ControlClient::create(
    UniqueFd socket, std::chrono::milliseconds timeout, std::string software)
{
    if (!socket.isValid())
        return failure(Error::invalid("control channel", "no socket"));
    int flags = ::fcntl(socket.get(), F_GETFL);
    if (flags < 0 || ::fcntl(socket.get(), F_SETFL, flags | O_NONBLOCK) < 0)
        return failure(Error::fromErrno("fcntl", errno, "control channel"));
    FrameDecoder decoder;
    std::deque<Frame> early;
    Hello peer = VMM_TRY(handshake(socket.get(), decoder, early, timeout, software));
    EventFd wake = VMM_TRY(EventFd::create());
    std::unique_ptr<ControlClient> client(
        new ControlClient(std::move(socket), std::move(wake), std::move(peer)));
    client->m_decoder = std::move(decoder);
    client->m_early = std::move(early);
    client->m_thread = std::thread([raw = client.get()] { raw->run(); });
    return client;
}

ControlClient::~ControlClient()
{
    m_stopping.store(true);
    m_wake.signal();
    if (m_thread.joinable())
        m_thread.join();
}

void ControlClient::queueLocked(const Frame& frame)
{
    auto bytes = FrameEncoder::encode(frame);
    if (!bytes)
        return;
    if (m_outputSent > 0 && m_outputSent == m_output.size()) {
        m_output.clear();
        m_outputSent = 0;
    } else if (m_outputSent > kOutputLimitBytes) {
        m_output.erase(m_output.begin(), m_output.begin() + static_cast<ptrdiff_t>(m_outputSent));
        m_outputSent = 0;
    }
    m_output.insert(m_output.end(), bytes->begin(), bytes->end());
}

void ControlClient::flushLocked()
{
    while (m_connected.load() && pendingOutput() > 0) {
        ssize_t sent = ::send(m_socket.get(), m_output.data() + m_outputSent, pendingOutput(),
            MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (sent < 0) {
            disconnectLocked(Error::fromErrno("send", errno, "control channel").message());
            return;
        }
        m_outputSent += static_cast<size_t>(sent);
    }
}

void ControlClient::disconnectLocked(const std::string& why)
{
    if (!m_connected.exchange(false))
        return;
    m_disconnectReason = why;
    ::shutdown(m_socket.get(), SHUT_RDWR);
    for (auto& [id, stream] : m_streams) {
        stream.openDone = true;
        if (!stream.open && stream.openError.empty())
            stream.openError = "the control channel closed: " + why;
    }
    // Every local end closes: readers see the end, writers EPIPE.
    std::erase_if(m_streams, [](const auto& item) { return item.second.open; });
    m_changed.notify_all();
}

Result<ControlReply> ControlClient::command(ControlKind kind, nlohmann::json fields,
    std::vector<uint8_t> payload, std::chrono::milliseconds timeout)
{
    if (!fields.is_object())
        return failure(Error::invalid("control command", "fields must be an object"));
    std::unique_lock lock(m_mutex);
    if (!m_connected.load())
        return failure(Error::invalid("control channel", "disconnected: " + m_disconnectReason));
    uint64_t id = m_nextId++;
    fields["id"] = id;
    Frame frame = makeControlFrame(kind, std::move(fields), std::move(payload));
    if (auto encoded = FrameEncoder::encode(frame); !encoded)
        return failure(encoded.error());
    queueLocked(frame);
    m_waiting[id] = std::nullopt;
    m_wake.signal();
    bool answered = m_changed.wait_for(
        lock, timeout, [&] { return !m_connected.load() || m_waiting[id].has_value(); });
    std::optional<ControlReply> reply = std::move(m_waiting[id]);
    m_waiting.erase(id);
    if (reply)
        return std::move(*reply);
    if (!answered)
        return failure(Error::fromErrno(controlKindName(toWire(kind)), ETIMEDOUT, "no reply"));
    return failure(
        Error::invalid(controlKindName(toWire(kind)), "disconnected: " + m_disconnectReason));
}

namespace {
Result<void> expectOk(Result<ControlReply> reply, std::string_view what)
{
    if (!reply)
        return failure(reply.error());
    if (!reply->ok)
        return failure(Error::invalid(what, reply->error));
    return {};
}
} // namespace

Result<ControlStatus> ControlClient::status()
{
    ControlReply reply = VMM_TRY(command(ControlKind::Status));
    if (!reply.ok)
        return failure(Error::invalid("status", reply.error));
    if (!reply.status)
        return failure(Error::invalid("status", "the reply carries no status"));
    return *reply.status;
}

Result<DatasetAdded> ControlClient::addDataset(const std::string& name, const std::string& path,
    const std::string& grant, std::chrono::milliseconds timeout)
{
    ControlReply reply = VMM_TRY(command(
        ControlKind::AddDataset, {{"name", name}, {"path", path}, {"grant", grant}}, {}, timeout));
    if (!reply.ok)
        return failure(Error::invalid("add-dataset", reply.error));
    if (!reply.dataset)
        return failure(Error::invalid("add-dataset", "the reply carries no dataset"));
    return *reply.dataset;
}

Result<void> ControlClient::pause()
{
    return expectOk(command(ControlKind::Pause), "pause");
}

Result<void> ControlClient::resume()
{
    return expectOk(command(ControlKind::Resume), "resume");
}

Result<void> ControlClient::stop(bool force)
{
    return expectOk(command(ControlKind::Stop, {{"force", force}}), "stop");
}

Result<void> ControlClient::sendConsoleInput(std::span<const uint8_t> bytes)
{
    if (bytes.size() > kMaxStreamChunkBytes)
        return failure(Error::invalid("console-input", "too many bytes at once"));
    return expectOk(command(ControlKind::ConsoleInput, nlohmann::json::object(),
                        std::vector<uint8_t>(bytes.begin(), bytes.end())),
        "console-input");
}

Result<HostMetrics> ControlClient::metrics()
{
    ControlReply reply = VMM_TRY(command(ControlKind::MetricsRequest));
    if (!reply.ok)
        return failure(Error::invalid("metrics", reply.error));
    if (!reply.metrics)
        return failure(Error::invalid("metrics", "the reply carries no metrics"));
    return *reply.metrics;
}

Result<void> ControlClient::subscribeMetrics(std::chrono::milliseconds interval)
{
    if (interval.count() != 0 &&
        (interval.count() < kMinMetricsIntervalMs || interval.count() > kMaxMetricsIntervalMs))
        return failure(Error::invalid("subscribe-metrics", "interval out of range"));
    return expectOk(command(ControlKind::SubscribeMetrics, {{"intervalMs", interval.count()}}),
        "subscribe-metrics");
}

Result<std::optional<Frame>> ControlClient::nextEvent(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, timeout, [&] { return !m_events.empty() || !m_connected.load(); });
    if (m_events.empty()) {
        if (!m_connected.load())
            return failure(
                Error::invalid("control channel", "disconnected: " + m_disconnectReason));
        return std::optional<Frame> {};
    }
    Frame frame = std::move(m_events.front());
    m_events.pop_front();
    m_eventBytes -= eventBytes(frame);
    return std::optional<Frame> {std::move(frame)};
}

uint64_t ControlClient::droppedEvents() const
{
    std::lock_guard lock(m_mutex);
    return m_droppedEvents;
}

void ControlClient::dispatch(Frame frame)
{
    if (frame.kind == toWire(ControlKind::Reply)) {
        auto reply = ControlReply::fromJson(frame.header);
        if (!reply) {
            disconnectLocked(reply.error().message());
            return;
        }
        auto waiting = m_waiting.find(reply->id);
        if (waiting != m_waiting.end())
            waiting->second = std::move(*reply);
        m_changed.notify_all();
        return;
    }
    if (frame.kind >= toWire(ControlKind::StreamOpen) &&
        frame.kind <= toWire(ControlKind::StreamAck)) {
        if (auto handled = dispatchStream(frame); !handled)
            disconnectLocked(handled.error().message());
        return;
    }
    if (frame.kind == toWire(MessageKind::Hello)) {
        disconnectLocked("a second hello from the VMM");
        return;
    }
    if (frame.kind >= 0x0200 && frame.kind <= 0x02ff && controlKindName(frame.kind) == "unknown")
        return; // a newer minor version's event
    if (auto valid = validateEvent(frame); !valid) {
        disconnectLocked(valid.error().message());
        return;
    }
    size_t size = eventBytes(frame);
    if (m_events.size() >= kMaxQueuedEvents || m_eventBytes + size > kMaxQueuedEventBytes) {
        ++m_droppedEvents;
        return;
    }
    m_eventBytes += size;
    m_events.push_back(std::move(frame));
    m_changed.notify_all();
}

void ControlClient::readSocket()
{
    std::array<uint8_t, kReadChunk> buffer;
    ssize_t got = ::recv(m_socket.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (got <= 0) {
        disconnectLocked(got == 0 ? "the VMM closed the channel"
                                  : Error::fromErrno("recv", errno, "control channel").message());
        return;
    }
    auto frames = m_decoder.feed(std::span(buffer).first(static_cast<size_t>(got)));
    if (!frames) {
        disconnectLocked(frames.error().message());
        return;
    }
    for (Frame& frame : *frames) {
        if (!m_connected.load())
            return;
        dispatch(std::move(frame));
    }
}

void ControlClient::run()
{
    {
        std::lock_guard lock(m_mutex);
        while (!m_early.empty() && m_connected.load()) {
            dispatch(std::move(m_early.front()));
            m_early.pop_front();
        }
    }
    std::vector<pollfd> fds;
    std::vector<StreamId> ids;
    while (!m_stopping.load()) {
        fds.clear();
        ids.clear();
        {
            std::lock_guard lock(m_mutex);
            flushLocked();
            pruneStreams();
            short socketEvents = 0;
            if (m_connected.load()) {
                socketEvents = POLLIN;
                if (pendingOutput() > 0)
                    socketEvents |= POLLOUT;
            }
            fds.push_back({m_wake.fd(), POLLIN, 0});
            fds.push_back({m_connected.load() ? m_socket.get() : -1, socketEvents, 0});
            for (auto& [id, stream] : m_streams) {
                short events = 0;
                if (stream.open && !stream.localEnded && stream.unackedToVmm < kStreamWindowBytes &&
                    pendingOutput() < kOutputLimitBytes)
                    events |= POLLIN;
                if (stream.toLocalSent < stream.toLocal.size())
                    events |= POLLOUT;
                if (events == 0 || !stream.local.isValid())
                    continue;
                fds.push_back({stream.local.get(), events, 0});
                ids.push_back(id);
            }
        }
        if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR)
            break;
        std::lock_guard lock(m_mutex);
        if (fds[0].revents & POLLIN)
            m_wake.consume();
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
            readSocket();
        for (size_t i = 0; i < ids.size(); ++i) {
            auto found = m_streams.find(ids[i]);
            if (found != m_streams.end() && fds[i + 2].revents)
                serviceStream(found->second, fds[i + 2].revents);
        }
        flushLocked();
    }
}

} // namespace vmm
