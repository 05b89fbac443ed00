#pragma once

#include "FramebufferLayout.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace vmm::guest {

/// /dev/fb0 opened, its layout checked and its memory mapped for writing; unmaps and closes on
/// destruction. Move-only.
class Framebuffer {
public:
    /// The device node vesafb creates.
    static constexpr const char* kDevice = "/dev/fb0";

    /// Opens `device`, reads and checks its screen info, maps the visible part. A missing node
    /// fails with "no /dev/fb0: this session has no display".
    static Result<Framebuffer> open(const char* device = kDevice);

    ~Framebuffer() { reset(); }
    Framebuffer(Framebuffer&& other) noexcept
        : m_fd(std::move(other.m_fd))
        , m_memory(std::exchange(other.m_memory, nullptr))
        , m_layout(other.m_layout)
    {
    }
    Framebuffer& operator=(Framebuffer&& other) noexcept;
    Framebuffer(const Framebuffer&) = delete;
    Framebuffer& operator=(const Framebuffer&) = delete;

    /// The checked layout: width, height, pitch.
    const FramebufferLayout& layout() const { return m_layout; }
    /// Copies `pixels` (0x00RRGGBB words) into visible row `y`, at most layout().width of them;
    /// a row outside the screen is ignored.
    void writeRow(uint32_t y, std::span<const uint32_t> pixels);

private:
    Framebuffer(UniqueFd fd, uint8_t* memory, const FramebufferLayout& layout)
        : m_fd(std::move(fd))
        , m_memory(memory)
        , m_layout(layout)
    {
    }
    void reset();

    UniqueFd m_fd;
    uint8_t* m_memory = nullptr; ///< layout().mapBytes bytes, mapped shared and writable
    FramebufferLayout m_layout;
};

} // namespace vmm::guest
