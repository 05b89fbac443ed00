#pragma once

#include "bus/BusDevice.h"
#include "bus/InterruptLine.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>

namespace vmm {

/// A 16550A UART: the guest console. The machine places it (COM1: 8 ports at 0x3f8, ISA IRQ 4);
/// the device sees offsets 0..7. Transmitted bytes leave at once, so the transmitter is always
/// empty; received bytes come from the host through queueInput(). Thread-safe.
/// Reference: National Semiconductor PC16550D data sheet (register names below are its own).
class Serial8250 final : public BusDevice {
public:
    /// Where transmitted bytes go. Called from vCPU threads without the device's lock held.
    using Output = std::function<void(std::span<const uint8_t>)>;

    /// Counters for metrics; they only grow.
    struct Counters {
        uint64_t bytesOut = 0; ///< bytes the guest transmitted to the output
        uint64_t bytesIn = 0; ///< host bytes accepted by queueInput()
        uint64_t inputRefusals = 0; ///< queueInput() calls cut short by a full receive buffer
    };

    /// Register offsets (PC16550D table II); several share an offset, selected by access
    /// direction or by LCR's DLAB bit.
    static constexpr uint64_t kRBR = 0; ///< receiver buffer (read, DLAB=0)
    static constexpr uint64_t kTHR = 0; ///< transmitter holding (write, DLAB=0)
    static constexpr uint64_t kDLL = 0; ///< divisor latch low (DLAB=1)
    static constexpr uint64_t kIER = 1; ///< interrupt enable (DLAB=0)
    static constexpr uint64_t kDLM = 1; ///< divisor latch high (DLAB=1)
    static constexpr uint64_t kIIR = 2; ///< interrupt identification (read)
    static constexpr uint64_t kFCR = 2; ///< FIFO control (write)
    static constexpr uint64_t kLCR = 3; ///< line control
    static constexpr uint64_t kMCR = 4; ///< modem control
    static constexpr uint64_t kLSR = 5; ///< line status
    static constexpr uint64_t kMSR = 6; ///< modem status
    static constexpr uint64_t kSCR = 7; ///< scratch
    /// Number of I/O ports the UART occupies.
    static constexpr uint64_t kPortCount = 8;
    /// Host input held for the guest at most; queueInput() refuses what does not fit.
    static constexpr size_t kReceiveCapacity = 4096;

    /// `interrupt` is driven as a level (asserted while an enabled cause is pending and the
    /// guest set OUT2); it is assumed low at construction. `output` receives transmitted bytes.
    Serial8250(std::shared_ptr<InterruptLine> interrupt, Output output);

    /// Reads the register at `offset` (0..7); one-byte reads only.
    void read(uint64_t offset, std::span<uint8_t> data) override;
    /// Writes the register at `offset` (0..7); one-byte writes only.
    void write(uint64_t offset, std::span<const uint8_t> data) override;

    /// Hands host input to the guest; returns how many leading bytes were accepted (the caller
    /// keeps the rest and retries later). Accepts nothing while the guest is not listening (its
    /// receive interrupt is disabled, or the UART is in loopback) or the buffer is full.
    size_t queueInput(std::span<const uint8_t> bytes);
    /// Whether queueInput() would accept at least one byte now.
    bool canAcceptInput() const;
    /// A snapshot of the counters.
    Counters counters() const;

private:
    uint8_t readRegister(uint64_t offset);
    /// Returns true when `value` was transmitted to the output (outside loopback).
    bool writeRegister(uint64_t offset, uint8_t value);
    uint8_t interruptIdentification() const;
    uint8_t modemStatusLines() const;
    void setModemControl(uint8_t value);
    void receive(uint8_t byte);
    uint8_t takeReceived();
    bool isListening() const;
    void updateInterrupt();

    mutable std::mutex m_mutex;
    std::shared_ptr<InterruptLine> m_interrupt;
    Output m_output;

    uint8_t m_ier = 0;
    uint8_t m_lcr = 0;
    uint8_t m_mcr = 0;
    uint8_t m_msr = 0; // the status lines (bits 4-7) and their latched deltas (bits 0-3)
    uint8_t m_scr = 0;
    uint8_t m_dll = 0x0c; // 9600 baud from the PC's 1.8432 MHz clock, as firmware leaves it
    uint8_t m_dlm = 0;
    bool m_fifoEnabled = false;
    bool m_overrun = false;
    bool m_thrEmptyPending = false; // the THRE interrupt condition, cleared by reading IIR
    bool m_lineLevel = false;

    std::array<uint8_t, kReceiveCapacity> m_receiveBuffer {};
    size_t m_receiveHead = 0;
    size_t m_receiveCount = 0;

    Counters m_counters;
};

} // namespace vmm
