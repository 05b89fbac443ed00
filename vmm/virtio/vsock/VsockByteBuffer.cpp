#include "VsockByteBuffer.h"

#include <algorithm>
#include <cstring>

namespace vmm {

std::span<uint8_t> VsockByteBuffer::reserve(size_t count)
{
    if (count > freeSpace())
        return {};
    if (m_storage.size() - m_end < count) {
        // Move the held bytes to the front, then grow (doubling, capped) if still short.
        size_t held = size();
        if (m_begin > 0 && held > 0)
            std::memmove(m_storage.data(), m_storage.data() + m_begin, held);
        m_begin = 0;
        m_end = held;
        if (m_storage.size() - m_end < count) {
            size_t wanted = std::max(m_storage.size() * 2, m_end + count);
            m_storage.resize(std::min(wanted, m_capacity));
        }
    }
    return std::span<uint8_t>(m_storage).subspan(m_end, count);
}

void VsockByteBuffer::consume(size_t count)
{
    m_begin += std::min(count, size());
    if (m_begin == m_end)
        clear();
}

void VsockByteBuffer::clear()
{
    std::vector<uint8_t>().swap(m_storage);
    m_begin = 0;
    m_end = 0;
}

} // namespace vmm
