#include "FuzzFrameDecoder.h"

#include "ErrorMessage.h"
#include "ExecMessages.h"
#include "FrameDecoder.h"
#include "FrameEncoder.h"
#include "GuestMetrics.h"
#include "Hello.h"
#include "OutboxMessages.h"

#include <algorithm>
#include <span>

namespace vmm {

namespace {

void parseAsItsKind(const Frame& frame)
{
    switch (static_cast<MessageKind>(frame.kind)) {
    case MessageKind::Hello:
        (void)Hello::fromJson(frame.header);
        break;
    case MessageKind::Error:
        (void)ErrorMessage::fromJson(frame.header);
        break;
    case MessageKind::ExecRequest:
        (void)ExecRequest::fromJson(frame.header);
        break;
    case MessageKind::ExecStarted:
        (void)ExecStarted::fromJson(frame.header);
        break;
    case MessageKind::ExecSignal:
        (void)ExecSignal::fromJson(frame.header);
        break;
    case MessageKind::ExecExited:
        (void)ExecExited::fromJson(frame.header);
        break;
    case MessageKind::OutboxEntry:
        (void)OutboxEntry::fromJson(frame.header);
        break;
    case MessageKind::OutboxListEnd:
        (void)OutboxListEnd::fromJson(frame.header);
        break;
    case MessageKind::OutboxFetchRequest:
        (void)OutboxFetchRequest::fromJson(frame.header);
        break;
    case MessageKind::OutboxFileBegin:
        (void)OutboxFileBegin::fromJson(frame.header);
        break;
    case MessageKind::OutboxFileEnd:
        (void)OutboxFileEnd::fromJson(frame.header);
        break;
    case MessageKind::Metrics:
        (void)GuestMetrics::fromJson(frame.header);
        break;
    default:
        break;
    }
    // What was decoded must encode again (the relay in airlock-vmm re-encodes frames).
    (void)FrameEncoder::encode(frame);
}

} // namespace

int fuzzFrameDecoder(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    size_t pieceSize = size_t {data[0]} + 1;
    std::span<const uint8_t> input(data + 1, size - 1);
    FrameDecoder decoder;
    while (!input.empty()) {
        size_t take = std::min(pieceSize, input.size());
        auto frames = decoder.feed(input.first(take));
        if (!frames)
            return 0;
        for (const Frame& frame : *frames)
            parseAsItsKind(frame);
        input = input.subspan(take);
    }
    (void)decoder.finish();
    return 0;
}

} // namespace vmm
