#pragma once

#include "sys/Result.h"

#include <cstdint>

#include <linux/fb.h>

namespace vmm::guest {

/// Where the visible screen lies in /dev/fb0's memory, taken from the kernel's
/// FBIOGET_VSCREENINFO and FBIOGET_FSCREENINFO answers and checked like any input before a pixel
/// is written: a driver bug or an unexpected mode must give an error, never a write outside the
/// mapping.
struct FramebufferLayout {
    /// The largest visible width and height accepted (FramebufferGeometry's host limits).
    static constexpr uint32_t kMaxWidth = 7680;
    static constexpr uint32_t kMaxHeight = 4320;
    /// The largest row pitch accepted, in bytes.
    static constexpr uint32_t kMaxLineLength = 64 * 1024;
    static constexpr uint32_t kBytesPerPixel = 4;

    uint32_t width = 0; ///< visible pixels per row
    uint32_t height = 0; ///< visible rows
    uint32_t lineLength = 0; ///< bytes from one row to the next
    uint64_t originOffset = 0; ///< byte offset of the visible top-left pixel
    uint64_t mapBytes = 0; ///< bytes to map from offset 0: the visible screen ends there

    /// Checks that the mode is 32 bits per pixel XRGB8888 packed true colour, that the visible
    /// screen (xres x yres at xoffset, yoffset) fits the virtual one, the row pitch and the
    /// memory the driver reports (smem_len), with every product computed without overflow.
    static Result<FramebufferLayout> fromScreenInfo(
        const fb_var_screeninfo& variable, const fb_fix_screeninfo& fixed);

    /// Byte offset of visible row `y` (y < height).
    uint64_t rowOffset(uint32_t y) const { return originOffset + uint64_t {y} * lineLength; }
};

} // namespace vmm::guest
