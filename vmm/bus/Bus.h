#pragma once

#include "BusDevice.h"
#include "sys/Result.h"

#include <cstdint>
#include <map>
#include <memory>
#include <span>

namespace vmm {

/// An address range [base, base + length) on a bus.
struct BusRange {
    uint64_t base = 0;
    uint64_t length = 0;
    uint64_t end() const { return base + length; }
};

/// Maps address ranges to devices (port I/O or MMIO). Ranges never overlap. Only the base address
/// of an access selects the device; an access that runs past the device's end is ignored.
/// Not thread-safe to modify; lookups during vCPU execution are read-only.
class Bus {
public:
    /// Places `device` at `range`; fails when the range is empty, wraps, or overlaps another.
    Result<void> insert(BusRange range, std::shared_ptr<BusDevice> device);

    /// Dispatches a read; returns false when no device claims `address` (data is then all-ones,
    /// like a floating ISA bus).
    bool read(uint64_t address, std::span<uint8_t> data) const;
    /// Dispatches a write; returns false when no device claims `address` (the write is dropped).
    bool write(uint64_t address, std::span<const uint8_t> data) const;

private:
    struct Entry {
        BusRange range;
        std::shared_ptr<BusDevice> device;
    };
    const Entry* find(uint64_t address, uint64_t length) const;

    std::map<uint64_t, Entry> m_entries; // keyed by base
};

} // namespace vmm
