#include "FrameDecoder.h"

#include "MessageKind.h"

#include <algorithm>
#include <exception>
#include <string>

namespace vmm {

namespace {

uint64_t readLittleEndian(const uint8_t* bytes, size_t width)
{
    uint64_t value = 0;
    for (size_t i = 0; i < width; ++i)
        value |= uint64_t {bytes[i]} << (8 * i);
    return value;
}

// The deepest nesting of [ and { outside strings; nlohmann's DOM is built recursively in places,
// so a hostile 64 KiB of "[[[[" is refused before it is parsed.
size_t nestingDepth(std::span<const uint8_t> json)
{
    size_t depth = 0;
    size_t deepest = 0;
    bool inString = false;
    bool escaped = false;
    for (uint8_t byte : json) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (byte == '\\')
                escaped = true;
            else if (byte == '"')
                inString = false;
            continue;
        }
        if (byte == '"')
            inString = true;
        else if (byte == '[' || byte == '{')
            deepest = std::max(deepest, ++depth);
        else if ((byte == ']' || byte == '}') && depth > 0)
            --depth;
    }
    return deepest;
}

// Moves up to `wanted - part.size()` bytes from the front of `bytes` into `part`; returns the rest.
std::span<const uint8_t> fill(
    std::vector<uint8_t>& part, size_t wanted, std::span<const uint8_t> bytes)
{
    size_t take = std::min(wanted - part.size(), bytes.size());
    part.insert(part.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(take));
    return bytes.subspan(take);
}

Error protocolError(const std::string& detail)
{
    return Error::invalid("decoding frame", detail);
}

} // namespace

Result<std::vector<Frame>> FrameDecoder::feed(std::span<const uint8_t> bytes)
{
    if (m_broken)
        return failure(*m_broken);
    std::vector<Frame> frames;
    while (!bytes.empty()) {
        if (m_headerFilled < kFrameHeaderSize) {
            size_t take = std::min(kFrameHeaderSize - m_headerFilled, bytes.size());
            std::copy_n(
                bytes.begin(), take, m_header.begin() + static_cast<ptrdiff_t>(m_headerFilled));
            m_headerFilled += take;
            bytes = bytes.subspan(take);
            if (m_headerFilled < kFrameHeaderSize)
                break;
            if (auto accepted = acceptHeader(); !accepted) {
                m_broken = accepted.error();
                return failure(*m_broken);
            }
        }
        bytes = fill(m_json, m_jsonLength, bytes);
        bytes = fill(m_payload, m_payloadLength, bytes);
        if (m_json.size() < m_jsonLength || m_payload.size() < m_payloadLength)
            break;
        Result<Frame> frame = completeFrame();
        if (!frame) {
            m_broken = frame.error();
            return failure(*m_broken);
        }
        frames.push_back(std::move(*frame));
    }
    return frames;
}

Result<void> FrameDecoder::finish() const
{
    if (m_broken)
        return failure(*m_broken);
    if (midFrame())
        return failure(protocolError("the stream ended inside a frame"));
    return {};
}

Result<void> FrameDecoder::acceptHeader()
{
    if (m_header[0] != kFrameMagic[0] || m_header[1] != kFrameMagic[1])
        return failure(protocolError("bad frame magic (not an Airlock stream, or out of step)"));
    m_kind = static_cast<uint16_t>(readLittleEndian(&m_header[2], 2));
    uint64_t jsonLength = readLittleEndian(&m_header[4], 4);
    uint64_t payloadLength = readLittleEndian(&m_header[8], 4);
    if (m_kind == 0)
        return failure(protocolError("frame kind 0"));
    if (jsonLength > kMaxFrameJsonLength)
        return failure(protocolError(
            "JSON header of " + std::to_string(jsonLength) + " bytes is over the cap"));
    if (payloadLength > kMaxFramePayloadLength)
        return failure(protocolError(
            "payload of " + std::to_string(payloadLength) + " bytes is over the cap"));
    m_jsonLength = static_cast<size_t>(jsonLength);
    m_payloadLength = static_cast<size_t>(payloadLength);
    m_json.clear();
    m_json.reserve(m_jsonLength);
    m_payload = {};
    m_payload.reserve(m_payloadLength);
    return {};
}

Result<Frame> FrameDecoder::completeFrame()
{
    std::string kindName(messageKindName(m_kind));
    std::span<const uint8_t> json(m_json);
    Frame frame;
    frame.kind = m_kind;
    if (!json.empty()) {
        if (nestingDepth(json) > kMaxFrameJsonDepth)
            return failure(protocolError(kindName + " frame: JSON nested too deeply"));
        try {
            frame.header = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
        } catch (const std::exception& exception) {
            return failure(protocolError(kindName + " frame: " + exception.what()));
        }
        if (frame.header.is_discarded())
            return failure(protocolError(kindName + " frame: the JSON header does not parse"));
        if (!frame.header.is_object())
            return failure(protocolError(kindName + " frame: the JSON header is not an object"));
    }
    frame.payload = std::move(m_payload);
    m_payload = {};
    m_headerFilled = 0;
    return frame;
}

} // namespace vmm
