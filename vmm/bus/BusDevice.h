#pragma once

#include <cstdint>
#include <span>

namespace vmm {

/// A device on an I/O-port or MMIO bus. Offsets are relative to the device's base, which the
/// device never knows (STYLE.md §10). Called from vCPU threads: implementations lock their state.
class BusDevice {
public:
    virtual ~BusDevice() = default;
    /// Fills `data` with the register contents at `offset` (the bus zero-fills it first).
    virtual void read(uint64_t offset, std::span<uint8_t> data) = 0;
    /// Accepts a guest write of `data` at `offset`.
    virtual void write(uint64_t offset, std::span<const uint8_t> data) = 0;
};

} // namespace vmm
