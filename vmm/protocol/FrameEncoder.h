#pragma once

#include "Frame.h"
#include "sys/Result.h"

#include <cstdint>
#include <vector>

namespace vmm {

/// Turns frames into bytes for a stream (the layout is in Frame.h).
class FrameEncoder {
public:
    /// The frame's bytes. Fails, without throwing, when the header is not a JSON object, holds
    /// text that is not UTF-8, or when the JSON or the payload is over its cap.
    static Result<std::vector<uint8_t>> encode(const Frame& frame);
};

} // namespace vmm
