#pragma once

#include "Frame.h"
#include "sys/Result.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace vmm {

/// Decodes frames from a byte stream however it is split. Everything it reads is hostile input:
/// lengths are checked against the caps before any allocation, the JSON header must parse, be
/// an object and nest at most kMaxFrameJsonDepth deep. After an error the stream has lost its
/// place, so the decoder stays broken and every later feed fails with the same error.
class FrameDecoder {
public:
    /// Consumes `bytes` and returns the frames they complete (possibly none).
    Result<std::vector<Frame>> feed(std::span<const uint8_t> bytes);
    /// At the end of the stream: fails if a frame was started and not finished.
    Result<void> finish() const;
    /// Whether part of a frame is buffered.
    bool midFrame() const { return m_headerFilled > 0; }

private:
    Result<void> acceptHeader();
    Result<Frame> completeFrame();

    std::array<uint8_t, kFrameHeaderSize> m_header {};
    size_t m_headerFilled = 0;
    uint16_t m_kind = 0;
    size_t m_jsonLength = 0;
    size_t m_payloadLength = 0;
    std::vector<uint8_t> m_json;
    std::vector<uint8_t> m_payload;
    std::optional<Error> m_broken;
};

} // namespace vmm
