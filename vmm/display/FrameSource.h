#pragma once

#include "FramebufferGeometry.h"
#include "sys/Result.h"

#include <cstdint>
#include <span>
#include <vector>

namespace vmm {

/// Pixels a display server shows: the guest's framebuffer in airlock-vmm, a plain buffer in
/// tests. The guest may write the pixels at any time, from any vCPU: a reader copies what it
/// needs and treats every byte as untrusted (any value is a valid pixel; nothing else is read
/// from it).
class FrameSource {
public:
    virtual ~FrameSource() = default;

    /// The fixed shape of the pixels.
    virtual const FramebufferGeometry& geometry() const = 0;
    /// The pixels: geometry().pixelBytes() bytes, valid for the source's lifetime.
    virtual std::span<const uint8_t> pixels() const = 0;
    /// Sets bit (p % 64) of dirty[p / 64] for every 4 KiB page p of pixels() written since the
    /// previous call (and on the first call, every page); clears nothing. `dirty` holds
    /// at least (geometry().regionBytes() / 4096 + 63) / 64 words. A source that cannot tell
    /// which pages changed marks them all. Called from the display thread only.
    virtual Result<void> collectDirtyPages(std::span<uint64_t> dirty) = 0;
};

} // namespace vmm
