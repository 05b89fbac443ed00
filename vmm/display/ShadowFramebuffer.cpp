#include "ShadowFramebuffer.h"

#include <algorithm>
#include <cstring>

namespace vmm {

namespace {

constexpr uint64_t kPageSize = 4096;

// The first and one-past-last column where two rows of 32-bit pixels differ; {0, 0} when equal.
std::pair<uint32_t, uint32_t> changedColumns(
    const uint8_t* fresh, const uint8_t* old, uint32_t width)
{
    constexpr uint32_t bytes = FramebufferGeometry::kBytesPerPixel;
    uint32_t first = 0;
    while (first < width && std::memcmp(fresh + first * bytes, old + first * bytes, bytes) == 0)
        ++first;
    if (first == width)
        return {0, 0};
    uint32_t last = width;
    while (last > first &&
        std::memcmp(fresh + (last - 1) * bytes, old + (last - 1) * bytes, bytes) == 0)
        --last;
    return {first, last};
}

} // namespace

Result<ShadowFramebuffer> ShadowFramebuffer::create(const FramebufferGeometry& geometry)
{
    // The geometry came from FramebufferGeometry::make(): its products cannot overflow.
    return ShadowFramebuffer(geometry);
}

ShadowFramebuffer::ShadowFramebuffer(const FramebufferGeometry& geometry)
    : m_geometry(geometry)
    , m_pixels(geometry.pixelBytes(), 0)
    , m_dirtyPages((geometry.regionBytes() / kPageSize + 63) / 64, 0)
    , m_dirtyRows(geometry.height, 0)
    , m_row(geometry.stride, 0)
{
}

void ShadowFramebuffer::markAllDirty()
{
    std::fill(m_dirtyPages.begin(), m_dirtyPages.end(), ~uint64_t {0});
}

std::vector<ShadowFramebuffer::Rectangle> ShadowFramebuffer::update(std::span<const uint8_t> pixels)
{
    const uint64_t stride = m_geometry.stride;
    const uint64_t usable = std::min<uint64_t>(pixels.size(), m_geometry.pixelBytes());
    std::fill(m_dirtyRows.begin(), m_dirtyRows.end(), 0);
    const uint64_t pages = (m_geometry.pixelBytes() + kPageSize - 1) / kPageSize;
    for (uint64_t word = 0; word < m_dirtyPages.size(); ++word) {
        uint64_t bits = std::exchange(m_dirtyPages[word], 0);
        while (bits != 0) {
            uint64_t page = word * 64 + static_cast<uint64_t>(__builtin_ctzll(bits));
            bits &= bits - 1;
            if (page >= pages)
                break; // the region's tail beyond the pixels
            uint64_t firstRow = page * kPageSize / stride;
            uint64_t lastRow =
                std::min<uint64_t>(((page + 1) * kPageSize - 1) / stride, m_geometry.height - 1);
            std::fill(m_dirtyRows.begin() + static_cast<std::ptrdiff_t>(firstRow),
                m_dirtyRows.begin() + static_cast<std::ptrdiff_t>(lastRow + 1), 1);
        }
    }

    std::vector<Rectangle> changed;
    uint32_t bandFirstColumn = 0;
    uint32_t bandEndColumn = 0;
    uint32_t bandTop = 0;
    uint32_t bandBottom = 0; // one past the band's last changed row
    bool inBand = false;
    auto closeBand = [&] {
        if (inBand)
            changed.push_back(
                {bandFirstColumn, bandTop, bandEndColumn - bandFirstColumn, bandBottom - bandTop});
        inBand = false;
    };
    for (uint32_t row = 0; row < m_geometry.height; ++row) {
        if (!m_dirtyRows[row])
            continue;
        uint64_t offset = row * stride;
        if (offset + stride > usable)
            break; // a source shorter than its geometry: nothing more to read
        // Read the row from the source once, then compare and keep only that copy: the guest
        // may be writing the same bytes meanwhile (its next write dirties the page again).
        std::memcpy(m_row.data(), pixels.data() + offset, stride);
        uint8_t* shadow = m_pixels.data() + offset;
        if (std::memcmp(m_row.data(), shadow, stride) == 0)
            continue;
        auto [first, end] = changedColumns(m_row.data(), shadow, m_geometry.width);
        if (first == end)
            continue;
        std::memcpy(shadow + first * FramebufferGeometry::kBytesPerPixel,
            m_row.data() + first * FramebufferGeometry::kBytesPerPixel,
            (end - first) * FramebufferGeometry::kBytesPerPixel);
        if (inBand && row - bandBottom <= kMergeGap) {
            bandFirstColumn = std::min(bandFirstColumn, first);
            bandEndColumn = std::max(bandEndColumn, end);
            bandBottom = row + 1;
            continue;
        }
        closeBand();
        inBand = true;
        bandFirstColumn = first;
        bandEndColumn = end;
        bandTop = row;
        bandBottom = row + 1;
    }
    closeBand();
    return changed;
}

} // namespace vmm
