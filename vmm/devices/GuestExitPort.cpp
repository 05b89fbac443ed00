#include "GuestExitPort.h"

namespace vmm {

GuestExitPort::GuestExitPort(std::function<void(uint8_t status)> onExit)
    : m_onExit(std::move(onExit))
{
}

void GuestExitPort::read(uint64_t, std::span<uint8_t>)
{
    // Write-only: the bus already zero-filled the data.
}

void GuestExitPort::write(uint64_t offset, std::span<const uint8_t> data)
{
    if (offset != kStatusRegister || data.size() != 1)
        return;
    std::lock_guard lock(m_mutex);
    if (m_onExit)
        m_onExit(data[0]);
}

} // namespace vmm
