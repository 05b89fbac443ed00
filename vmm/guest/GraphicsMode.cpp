#include "GraphicsMode.h"

#include <cerrno>
#include <fcntl.h>

#include <linux/kd.h>
#include <sys/ioctl.h>

namespace vmm::guest {

Result<GraphicsMode> GraphicsMode::enter(const char* terminal)
{
    // O_NOCTTY: the tool must not take the terminal as its own by opening it.
    Result<UniqueFd> fd = UniqueFd::open(terminal, O_RDWR | O_NOCTTY);
    if (!fd)
        return failure(fd.error());
    int mode = KD_TEXT;
    // Safety: KDGETMODE writes one int (the console's kd_mode) to the pointer passed.
    if (::ioctl(fd->get(), KDGETMODE, &mode) < 0)
        return failure(Error::fromErrno("KDGETMODE", errno, terminal));
    if (::ioctl(fd->get(), KDSETMODE, KD_GRAPHICS) < 0)
        return failure(Error::fromErrno("KDSETMODE", errno, terminal));
    return GraphicsMode(std::move(*fd), mode);
}

GraphicsMode& GraphicsMode::operator=(GraphicsMode&& other) noexcept
{
    if (this != &other) {
        restore();
        m_fd = std::move(other.m_fd);
        m_previousMode = other.m_previousMode;
    }
    return *this;
}

void GraphicsMode::restore()
{
    if (!m_fd.isValid())
        return;
    // Back to text, the console redraws itself; nothing to do if that fails on the way out.
    ::ioctl(m_fd.get(), KDSETMODE, m_previousMode);
    m_fd.reset();
}

} // namespace vmm::guest
