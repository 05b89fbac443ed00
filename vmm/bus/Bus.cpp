#include "Bus.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace vmm {

static std::string hex(uint64_t value)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%#llx", static_cast<unsigned long long>(value));
    return buffer;
}

Result<void> Bus::insert(BusRange range, std::shared_ptr<BusDevice> device)
{
    if (!device)
        return failure(Error::invalid("bus insert", "no device given"));
    if (range.length == 0 || range.base + range.length < range.base)
        return failure(Error::invalid("bus insert",
            "range at " + hex(range.base) + " with length " + hex(range.length) + " is empty or wraps"));

    auto next = m_entries.lower_bound(range.base);
    if (next != m_entries.end() && next->second.range.base < range.end())
        return failure(Error::invalid("bus insert",
            "range " + hex(range.base) + "-" + hex(range.end()) + " overlaps the device at "
                + hex(next->second.range.base)));
    if (next != m_entries.begin()) {
        auto previous = std::prev(next);
        if (previous->second.range.end() > range.base)
            return failure(Error::invalid("bus insert",
                "range " + hex(range.base) + "-" + hex(range.end()) + " overlaps the device at "
                    + hex(previous->second.range.base)));
    }
    m_entries.emplace(range.base, Entry { range, std::move(device) });
    return {};
}

const Bus::Entry* Bus::find(uint64_t address, uint64_t length) const
{
    auto it = m_entries.upper_bound(address);
    if (it == m_entries.begin())
        return nullptr;
    --it;
    const BusRange& range = it->second.range;
    if (address >= range.end())
        return nullptr;
    // The whole access must lie inside the device: an access straddling its end is not its own.
    if (length > range.end() - address)
        return nullptr;
    return &it->second;
}

bool Bus::read(uint64_t address, std::span<uint8_t> data) const
{
    const Entry* entry = find(address, data.size());
    if (!entry) {
        std::fill(data.begin(), data.end(), uint8_t { 0xff });
        return false;
    }
    std::fill(data.begin(), data.end(), uint8_t { 0 });
    entry->device->read(address - entry->range.base, data);
    return true;
}

bool Bus::write(uint64_t address, std::span<const uint8_t> data) const
{
    const Entry* entry = find(address, data.size());
    if (!entry)
        return false;
    entry->device->write(address - entry->range.base, data);
    return true;
}

} // namespace vmm
