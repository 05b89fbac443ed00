#pragma once

#include "FramebufferGeometry.h"
#include "sys/Result.h"

#include <cstdint>
#include <span>
#include <vector>

namespace vmm {

/// The display server's own copy of the guest's pixels: what viewers are sent is read from here,
/// never from guest memory, so the guest cannot change a frame while it is being encoded. At each
/// frame tick update() copies the rows of the pages the guest wrote and reports the rectangles
/// whose pixels really changed (a page rewritten with the same bytes reports nothing).
class ShadowFramebuffer {
public:
    /// A rectangle of changed pixels.
    struct Rectangle {
        uint32_t x = 0;
        uint32_t y = 0;
        uint32_t width = 0;
        uint32_t height = 0;
    };

    /// Rows of unchanged pixels between two changed bands up to which update() merges them.
    static constexpr uint32_t kMergeGap = 16;

    /// A shadow of `geometry`'s size, all black.
    static Result<ShadowFramebuffer> create(const FramebufferGeometry& geometry);

    /// The shadow's pixels (libvncserver's frameBuffer).
    uint8_t* data() { return m_pixels.data(); }
    /// The dirty-page bitmap FrameSource::collectDirtyPages() fills (cleared by update()).
    std::span<uint64_t> dirtyPages() { return m_dirtyPages; }
    /// Marks every page dirty, so that the next update() compares the whole screen.
    void markAllDirty();

    /// Copies the rows under the pages set in dirtyPages() from `pixels` (pixelBytes() bytes of
    /// the source: shorter spans are read as far as they go), clears the bitmap and returns the
    /// changed rectangles: full bands of rows trimmed to the changed columns, merged across gaps
    /// of at most kMergeGap rows.
    std::vector<Rectangle> update(std::span<const uint8_t> pixels);

private:
    explicit ShadowFramebuffer(const FramebufferGeometry& geometry);

    FramebufferGeometry m_geometry;
    std::vector<uint8_t> m_pixels;
    std::vector<uint64_t> m_dirtyPages;
    std::vector<uint8_t> m_dirtyRows; // scratch: one flag per row
    std::vector<uint8_t> m_row; // scratch: one row read from the source once
};

} // namespace vmm
