#include "AgentSession.h"

#include "CommandRunner.h"
#include "DatasetMount.h"
#include "MetricsSampler.h"
#include "protocol/AgentProtocol.h"
#include "protocol/DatasetMessages.h"
#include "protocol/ErrorMessage.h"
#include "protocol/FrameStream.h"
#include "protocol/Sha256.h"

#include <cerrno>
#include <unistd.h>
#include <vector>

namespace vmm::guest {

namespace {

constexpr auto kHelloTimeout = std::chrono::seconds(10);

Result<void> sendError(FrameStream& stream, std::string_view code, const Error& error)
{
    return stream.send(ErrorMessage::fromError(code, error).toFrame());
}

Result<void> sendFile(
    FrameStream& stream, const OutboxReader& outbox, const OutboxFetchRequest& request)
{
    Result<UniqueFd> file = outbox.openFile(request.path);
    if (!file) {
        int error = file.error().errnoValue();
        std::string_view code = error == ENOENT ? ErrorMessage::kNotFound : ErrorMessage::kRefused;
        return sendError(stream, code, file.error());
    }
    // The size at open; the bytes sent are what counts, and the client checks them by hash.
    off_t size = ::lseek(file->get(), 0, SEEK_END);
    ::lseek(file->get(), 0, SEEK_SET);
    VMM_TRY(stream.send(
        OutboxFileBegin {request.path, static_cast<uint64_t>(std::max<off_t>(size, 0))}.toFrame()));
    Sha256 hash;
    uint64_t sent = 0;
    for (;;) {
        std::vector<uint8_t> chunk(kOutboxChunkBytes);
        ssize_t got = ::read(file->get(), chunk.data(), chunk.size());
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return sendError(
                stream, ErrorMessage::kIo, Error::fromErrno("read", errno, request.path));
        if (got == 0)
            break;
        chunk.resize(static_cast<size_t>(got));
        hash.update(chunk);
        VMM_TRY(stream.send(
            makeFrame(MessageKind::OutboxFileChunk, {{"offset", sent}}, std::move(chunk))));
        sent += static_cast<uint64_t>(got);
    }
    return stream.send(OutboxFileEnd {sent, hash.finishHex()}.toFrame());
}

Result<void> sendListing(FrameStream& stream, const OutboxReader& outbox)
{
    Result<OutboxListEnd> end = outbox.list(
        [&](const OutboxEntry& entry) -> Result<void> { return stream.send(entry.toFrame()); });
    if (!end)
        return sendError(stream, ErrorMessage::kIo, end.error());
    return stream.send(end->toFrame());
}

// One request; an error means the stream can no longer be trusted.
Result<void> handle(FrameStream& stream, const Frame& frame, AgentContext& context)
{
    switch (static_cast<MessageKind>(frame.kind)) {
    case MessageKind::ExecRequest: {
        auto request = ExecRequest::fromJson(frame.header);
        if (!request)
            return sendError(stream, ErrorMessage::kInvalid, request.error());
        return CommandRunner::run(stream, *request, context.children);
    }
    case MessageKind::OutboxListRequest:
        return sendListing(stream, context.outbox);
    case MessageKind::OutboxFetchRequest: {
        auto request = OutboxFetchRequest::fromJson(frame.header);
        if (!request)
            return sendError(stream, ErrorMessage::kInvalid, request.error());
        return sendFile(stream, context.outbox, *request);
    }
    case MessageKind::MetricsRequest:
        return stream.send(context.metrics.sample().toFrame());
    case MessageKind::MountDatasetRequest: {
        auto request = MountDatasetRequest::fromJson(frame.header);
        if (!request)
            return sendError(stream, ErrorMessage::kInvalid, request.error());
        auto mounted = DatasetMount::mount(static_cast<unsigned>(request->index), request->name);
        if (!mounted) {
            int error = mounted.error().errnoValue();
            std::string_view code = error == ENOENT || error == ETIMEDOUT ? ErrorMessage::kNotFound
                : error == 0                                              ? ErrorMessage::kInvalid
                                                                          : ErrorMessage::kIo;
            return sendError(stream, code, mounted.error());
        }
        return stream.send(MountDatasetDone {*mounted}.toFrame());
    }
    case MessageKind::ShutdownRequest:
        VMM_TRY(stream.send(makeFrame(MessageKind::ShutdownAccepted)));
        if (context.requestShutdown)
            context.requestShutdown();
        return {};
    // Stdin and signals that raced with a command's end: the command is gone; drop them.
    case MessageKind::StdinData:
    case MessageKind::StdinEnd:
    case MessageKind::ExecSignal:
        return {};
    default:
        return sendError(stream, ErrorMessage::kUnsupported,
            Error::invalid("agent",
                "unsupported request " + std::string(messageKindName(frame.kind)) + " (kind " +
                    std::to_string(frame.kind) + ")"));
    }
}

} // namespace

Result<void> AgentSession::serve(UniqueFd connection, AgentContext& context)
{
    FrameStream stream(connection.get());
    std::optional<Frame> first = VMM_TRY(stream.receive(kHelloTimeout));
    if (!first)
        return {};
    auto hello = first->is(MessageKind::Hello)
        ? Hello::fromJson(first->header)
        : Result<Hello>(failure(Error::invalid("hello", "the first frame is not a Hello")));
    if (hello)
        hello = Hello::checkCompatible(*hello, kAgentProtocolName, kAgentProtocolVersion).map([&] {
            return *hello;
        });
    if (!hello) {
        (void)sendError(stream, ErrorMessage::kVersion, hello.error());
        return failure(hello.error());
    }
    VMM_TRY(stream.send(
        Hello {std::string(kAgentProtocolName), kAgentProtocolVersion, "airlock-guest"}.toFrame()));

    for (;;) {
        Result<std::optional<Frame>> frame = stream.receive();
        if (!frame) {
            // Say why before closing, if the stream still takes it.
            (void)stream.send(
                ErrorMessage::fromError(ErrorMessage::kProtocol, frame.error()).toFrame(),
                std::chrono::seconds(1));
            return failure(frame.error());
        }
        if (!*frame)
            return {};
        VMM_TRY(handle(stream, **frame, context));
    }
}

} // namespace vmm::guest
