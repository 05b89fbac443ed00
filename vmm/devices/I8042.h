#pragma once

#include "bus/BusDevice.h"

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

namespace vmm {

/// Just enough of the PS/2 controller (Intel 8042) for the guest to reset the machine: Linux's
/// `reboot=k` polls the status port until the input buffer is empty, then writes command 0xFE.
/// Placed over ports 0x60..0x64 (offset 0 data, offset 4 status/command). No keyboard or mouse
/// is attached and no interrupt is raised. Thread-safe.
class I8042 final : public BusDevice {
public:
    /// Port offsets from the base (0x60), with Linux's names (drivers/input/serio/i8042-io.h).
    static constexpr uint64_t kDataRegister = 0; ///< I8042_DATA_REG, 0x60
    static constexpr uint64_t kStatusRegister = 4; ///< I8042_STATUS_REG (read), 0x64
    static constexpr uint64_t kCommandRegister = 4; ///< I8042_COMMAND_REG (write), 0x64
    /// Number of I/O ports the controller's range spans (0x60..0x64).
    static constexpr uint64_t kPortCount = 5;

    /// `onResetRequest` is called, from a vCPU thread, each time the guest pulses the reset line.
    explicit I8042(std::function<void()> onResetRequest);

    /// Reads the data (offset 0) or status (offset 4) port; one-byte reads only.
    void read(uint64_t offset, std::span<uint8_t> data) override;
    /// Writes the data (offset 0) or command (offset 4) port; one-byte writes only.
    void write(uint64_t offset, std::span<const uint8_t> data) override;

private:
    /// Returns true when the command asks for a reset.
    bool command(uint8_t value);

    mutable std::mutex m_mutex;
    std::function<void()> m_onResetRequest;
    uint8_t m_commandByte;
    std::optional<uint8_t> m_outputBuffer; // a pending command response
    bool m_expectingCommandByte = false; // after command 0x60 the next data byte is the CTR
};

} // namespace vmm
