#include "FdCache.h"

#include <algorithm>

namespace vmm {

FdCache::FdCache(size_t capacity)
    : m_capacity(std::max<size_t>(capacity, 1))
{
    m_slots.reserve(m_capacity);
}

int FdCache::find(uint32_t key)
{
    for (Slot& slot : m_slots) {
        if (slot.key == key) {
            slot.lastUse = ++m_clock;
            return slot.fd.get();
        }
    }
    return -1;
}

int FdCache::insert(uint32_t key, UniqueFd fd)
{
    erase(key);
    if (m_slots.size() >= m_capacity) {
        auto oldest = std::min_element(m_slots.begin(), m_slots.end(),
            [](const Slot& a, const Slot& b) { return a.lastUse < b.lastUse; });
        m_slots.erase(oldest);
    }
    m_slots.push_back({key, ++m_clock, std::move(fd)});
    return m_slots.back().fd.get();
}

void FdCache::erase(uint32_t key)
{
    std::erase_if(m_slots, [key](const Slot& slot) { return slot.key == key; });
}

} // namespace vmm
