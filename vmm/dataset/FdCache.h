#pragma once

#include "sys/UniqueFd.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace vmm {

/// A few open file descriptors kept by key, the least recently used one closed to make room:
/// a dataset of 100,000 files is served with at most `capacity` of them open.
class FdCache {
public:
    /// A cache that holds at most `capacity` (at least 1) descriptors.
    explicit FdCache(size_t capacity);

    /// The descriptor stored for `key`, or -1; marks it as the most recently used.
    int find(uint32_t key);
    /// Stores `fd` for `key` (replacing one stored for it), closing the least recently used
    /// descriptor when full; returns the raw descriptor.
    int insert(uint32_t key, UniqueFd fd);
    /// Closes the descriptor stored for `key`, if any.
    void erase(uint32_t key);
    /// How many descriptors are open.
    size_t size() const { return m_slots.size(); }

private:
    struct Slot {
        uint32_t key = 0;
        uint64_t lastUse = 0;
        UniqueFd fd;
    };

    size_t m_capacity;
    uint64_t m_clock = 0;
    std::vector<Slot> m_slots; // small: a linear search beats a map here
};

} // namespace vmm
