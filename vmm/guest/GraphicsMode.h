#pragma once

#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <utility>

namespace vmm::guest {

/// The foreground virtual terminal switched to graphics mode (KDSETMODE KD_GRAPHICS), so that the
/// framebuffer console neither draws text nor blinks a cursor over what a program draws; the
/// previous mode is restored on destruction. Move-only.
class GraphicsMode {
public:
    /// The foreground virtual terminal.
    static constexpr const char* kTerminal = "/dev/tty0";

    /// Switches `terminal` to graphics mode, remembering its current mode.
    static Result<GraphicsMode> enter(const char* terminal = kTerminal);

    ~GraphicsMode() { restore(); }
    GraphicsMode(GraphicsMode&& other) noexcept
        : m_fd(std::move(other.m_fd))
        , m_previousMode(other.m_previousMode)
    {
    }
    GraphicsMode& operator=(GraphicsMode&& other) noexcept;
    GraphicsMode(const GraphicsMode&) = delete;
    GraphicsMode& operator=(const GraphicsMode&) = delete;

private:
    GraphicsMode(UniqueFd fd, int previousMode)
        : m_fd(std::move(fd))
        , m_previousMode(previousMode)
    {
    }
    void restore();

    UniqueFd m_fd;
    int m_previousMode = 0;
};

} // namespace vmm::guest
