#pragma once

// The pictures the guest draws on its framebuffer (airlock-fb-pattern, airlock-fb-animate in
// vmm/guest) and that a test on the host recomputes to check a frame received over VNC. Pixels are
// XRGB8888 words 0x00RRGGBB, as in FramebufferGeometry. Header-only and constexpr: the guest's
// static PID 1 and the host's tests share the same arithmetic without sharing a library.

#include <cstdint>

namespace vmm {

/// The eight colour bars of the test pattern's top half, left to right. Every swap of two
/// channels changes at least one of them (yellow, cyan and magenta each miss a different one).
inline constexpr uint32_t kTestPatternBars[8] = {
    0x00ffffff, // white
    0x00ffff00, // yellow
    0x0000ffff, // cyan
    0x0000ff00, // green
    0x00ff00ff, // magenta
    0x00ff0000, // red
    0x000000ff, // blue
    0x00000000, // black
};

/// The colour of the one-pixel frame around the whole test pattern (orange): a crop, a shift by
/// one pixel or an edge lost to scaling moves or removes it.
inline constexpr uint32_t kTestPatternBorder = 0x00ff8000;

/// The test pattern's pixel at (x, y) of a `width` x `height` screen, as 0x00RRGGBB:
/// - the outermost row and column on each side: kTestPatternBorder;
/// - the top half (y < height / 2): eight equal vertical bars, kTestPatternBars[x * 8 / width];
/// - the bottom half: per-pixel values r = x & 0xff, g = y & 0xff, b = (x ^ y) & 0xff, so that a
///   frame scaled, shifted by any amount below 256 pixels, or with channels swapped, differs.
/// No width or height, zero included, divides by zero; x and y beyond the screen are computed like
/// any other (the caller keeps them in range).
constexpr uint32_t testPatternPixel(uint32_t x, uint32_t y, uint32_t width, uint32_t height)
{
    if (x == 0 || y == 0 || (width > 0 && x == width - 1) || (height > 0 && y == height - 1))
        return kTestPatternBorder;
    if (y < height / 2) {
        uint64_t bar = width == 0 ? 0 : uint64_t {x} * 8 / width;
        return kTestPatternBars[bar < 8 ? bar : 7];
    }
    uint32_t red = x & 0xff;
    uint32_t green = y & 0xff;
    uint32_t blue = (x ^ y) & 0xff;
    return red << 16 | green << 8 | blue;
}

/// Frame `frame` of the animation airlock-fb-animate draws, at (x, y), as 0x00RRGGBB: diagonal
/// gradients moving at different speeds per channel. Every pixel changes from one frame to the
/// next (red steps by 1 modulo 256), so that each frame dirties the whole screen.
constexpr uint32_t animationPixel(uint32_t x, uint32_t y, uint32_t frame)
{
    uint32_t red = (x + frame) & 0xff;
    uint32_t green = (y + 2 * frame) & 0xff;
    uint32_t blue = ((x + y) / 2 + 3 * frame) & 0xff;
    return red << 16 | green << 8 | blue;
}

} // namespace vmm
