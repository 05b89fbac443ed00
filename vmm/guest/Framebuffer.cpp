#include "Framebuffer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>

#include <sys/ioctl.h>
#include <sys/mman.h>

namespace vmm::guest {

Result<Framebuffer> Framebuffer::open(const char* device)
{
    Result<UniqueFd> fd = UniqueFd::open(device, O_RDWR);
    if (!fd && fd.error().errnoValue() == ENOENT)
        return failure(Error::invalid(std::string("no ") + device, "this session has no display"));
    if (!fd)
        return failure(fd.error());
    fb_var_screeninfo variable {};
    fb_fix_screeninfo fixed {};
    // Safety: both ioctls fill the struct passed, of exactly the type the kernel writes.
    if (::ioctl(fd->get(), FBIOGET_VSCREENINFO, &variable) < 0)
        return failure(Error::fromErrno("FBIOGET_VSCREENINFO", errno, device));
    if (::ioctl(fd->get(), FBIOGET_FSCREENINFO, &fixed) < 0)
        return failure(Error::fromErrno("FBIOGET_FSCREENINFO", errno, device));
    FramebufferLayout layout = VMM_TRY(FramebufferLayout::fromScreenInfo(variable, fixed));
    void* memory = ::mmap(nullptr, static_cast<size_t>(layout.mapBytes), PROT_READ | PROT_WRITE,
        MAP_SHARED, fd->get(), 0);
    if (memory == MAP_FAILED)
        return failure(Error::fromErrno("mmap", errno, device));
    return Framebuffer(std::move(*fd), static_cast<uint8_t*>(memory), layout);
}

Framebuffer& Framebuffer::operator=(Framebuffer&& other) noexcept
{
    if (this != &other) {
        reset();
        m_fd = std::move(other.m_fd);
        m_memory = std::exchange(other.m_memory, nullptr);
        m_layout = other.m_layout;
    }
    return *this;
}

void Framebuffer::reset()
{
    if (m_memory != nullptr)
        ::munmap(m_memory, static_cast<size_t>(m_layout.mapBytes));
    m_memory = nullptr;
}

void Framebuffer::writeRow(uint32_t y, std::span<const uint32_t> pixels)
{
    if (y >= m_layout.height || m_memory == nullptr)
        return;
    size_t count = std::min<size_t>(pixels.size(), m_layout.width);
    // Safety: fromScreenInfo checked that row y's first `width` pixels end at or before
    // mapBytes, the length mapped; memcpy has no alignment requirement.
    std::memcpy(m_memory + m_layout.rowOffset(y), pixels.data(), count * sizeof(uint32_t));
}

} // namespace vmm::guest
