#pragma once

#include "sys/Result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace vmm {

/// The shape of a session's linear framebuffer, chosen by the host and never by the guest:
/// 32 bits per pixel, XRGB8888 (a little-endian 32-bit word 0x00RRGGBB: bytes B, G, R, unused),
/// rows of `stride` bytes without padding. Made only through make()/parse(), which check every
/// bound and every product, so the sizes derived from it cannot overflow.
struct FramebufferGeometry {
    static constexpr uint32_t kBytesPerPixel = 4;
    static constexpr uint32_t kMinWidth = 320;
    static constexpr uint32_t kMinHeight = 200;
    static constexpr uint32_t kMaxWidth = 7680;
    static constexpr uint32_t kMaxHeight = 4320;
    static constexpr uint32_t kDefaultWidth = 1280;
    static constexpr uint32_t kDefaultHeight = 800;

    uint32_t width = kDefaultWidth;
    uint32_t height = kDefaultHeight;
    /// Bytes from one row to the next (width * 4).
    uint32_t stride = kDefaultWidth * kBytesPerPixel;

    /// A checked geometry of `width` x `height` pixels.
    static Result<FramebufferGeometry> make(uint32_t width, uint32_t height);
    /// Parses "WIDTHxHEIGHT" (e.g. "1280x800").
    static Result<FramebufferGeometry> parse(std::string_view text);

    /// Bytes of pixels (stride * height).
    uint64_t pixelBytes() const { return uint64_t {stride} * height; }
    /// Bytes the guest-visible region takes: pixelBytes() rounded up to whole 4 KiB pages.
    uint64_t regionBytes() const { return (pixelBytes() + 4095) & ~uint64_t {4095}; }
    /// "1280x800".
    std::string toString() const;

    bool operator==(const FramebufferGeometry&) const = default;
};

} // namespace vmm
