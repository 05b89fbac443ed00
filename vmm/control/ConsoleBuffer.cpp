#include "ConsoleBuffer.h"

#include <algorithm>
#include <utility>

namespace vmm {

bool ConsoleBuffer::append(std::span<const uint8_t> bytes)
{
    std::lock_guard lock(m_mutex);
    bool wasIdle = m_bytes.empty() && m_droppedSinceTake == 0;
    size_t room = m_capacity - std::min(m_capacity, m_bytes.size());
    size_t kept = std::min(room, bytes.size());
    m_bytes.insert(m_bytes.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(kept));
    m_droppedSinceTake += bytes.size() - kept;
    m_droppedTotal += bytes.size() - kept;
    return wasIdle && (kept > 0 || bytes.size() > kept);
}

ConsoleBuffer::Taken ConsoleBuffer::take(size_t maxBytes)
{
    std::lock_guard lock(m_mutex);
    Taken taken;
    size_t count = std::min(maxBytes, m_bytes.size());
    taken.bytes.assign(m_bytes.begin(), m_bytes.begin() + static_cast<ptrdiff_t>(count));
    m_bytes.erase(m_bytes.begin(), m_bytes.begin() + static_cast<ptrdiff_t>(count));
    taken.dropped = std::exchange(m_droppedSinceTake, 0);
    return taken;
}

bool ConsoleBuffer::hasPending() const
{
    std::lock_guard lock(m_mutex);
    return !m_bytes.empty() || m_droppedSinceTake > 0;
}

uint64_t ConsoleBuffer::totalDropped() const
{
    std::lock_guard lock(m_mutex);
    return m_droppedTotal;
}

} // namespace vmm
