#include "FrameEncoder.h"

#include <exception>
#include <string>

namespace vmm {

namespace {

void putLittleEndian(std::vector<uint8_t>& bytes, uint64_t value, size_t width)
{
    for (size_t i = 0; i < width; ++i)
        bytes.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

} // namespace

Result<std::vector<uint8_t>> FrameEncoder::encode(const Frame& frame)
{
    if (frame.kind == 0)
        return failure(Error::invalid("encoding frame", "kind 0 is not a message"));
    // null (what `{}` makes of a json argument) is sent as an empty header, read as {}.
    if (!frame.header.is_object() && !frame.header.is_null())
        return failure(Error::invalid("encoding frame", "the header is not a JSON object"));
    if (frame.payload.size() > kMaxFramePayloadLength)
        return failure(Error::invalid("encoding frame",
            "payload of " + std::to_string(frame.payload.size()) + " bytes is over the cap"));
    std::string json;
    try {
        if (!frame.header.empty())
            json = frame.header.dump(); // throws on text that is not UTF-8
    } catch (const std::exception& exception) {
        return failure(Error::invalid("encoding frame", exception.what()));
    }
    if (json.size() > kMaxFrameJsonLength)
        return failure(Error::invalid("encoding frame",
            "JSON header of " + std::to_string(json.size()) + " bytes is over the cap"));

    std::vector<uint8_t> bytes;
    bytes.reserve(kFrameHeaderSize + json.size() + frame.payload.size());
    bytes.push_back(kFrameMagic[0]);
    bytes.push_back(kFrameMagic[1]);
    putLittleEndian(bytes, frame.kind, 2);
    putLittleEndian(bytes, json.size(), 4);
    putLittleEndian(bytes, frame.payload.size(), 4);
    bytes.insert(bytes.end(), json.begin(), json.end());
    bytes.insert(bytes.end(), frame.payload.begin(), frame.payload.end());
    return bytes;
}

} // namespace vmm
