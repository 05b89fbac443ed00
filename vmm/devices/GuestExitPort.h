#pragma once

// Shared with the guest's init (airlock-guest), which includes it for kGuestExitPortAddress:
// keep its includes to these.
#include "bus/BusDevice.h"

#include <cstdint>
#include <functional>
#include <mutex>
#include <span>

namespace vmm {

/// The I/O port where the machine places the GuestExitPort; the guest's init writes there.
inline constexpr uint16_t kGuestExitPortAddress = 0x600;

/// A one-byte write-only port through which Airlock's guest init (PID 1) reports the exit
/// status of the session's command just before the machine should stop. Reads give 0; any
/// access other than a one-byte write at offset 0 is ignored. Thread-safe.
class GuestExitPort final : public BusDevice {
public:
    /// The only register: write the status byte here.
    static constexpr uint64_t kStatusRegister = 0;

    /// `onExit` is called, from a vCPU thread, with each status byte written; calls never overlap.
    explicit GuestExitPort(std::function<void(uint8_t status)> onExit);

    /// Gives nothing: the port is write-only.
    void read(uint64_t offset, std::span<uint8_t> data) override;
    /// Reports a one-byte write at offset 0 to `onExit`; ignores everything else.
    void write(uint64_t offset, std::span<const uint8_t> data) override;

private:
    std::mutex m_mutex; // serializes onExit when several vCPUs write at once
    std::function<void(uint8_t status)> m_onExit;
};

} // namespace vmm
