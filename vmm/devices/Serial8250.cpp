#include "Serial8250.h"

#include <algorithm>

namespace vmm {

namespace {

// Bits of each register, with the PC16550D data sheet's names (its "Registers" section).
constexpr uint8_t kIerERBFI = 0x01; // enable received data available interrupt
constexpr uint8_t kIerETBEI = 0x02; // enable transmitter holding register empty interrupt
constexpr uint8_t kIerELSI = 0x04; // enable receiver line status interrupt
constexpr uint8_t kIerEDSSI = 0x08; // enable modem status interrupt
constexpr uint8_t kIerMask = 0x0f; // bits 4-7 are always 0 on a 16550A

constexpr uint8_t kIirNoInterruptPending = 0x01;
constexpr uint8_t kIirModemStatus = 0x00; // priority 4
constexpr uint8_t kIirTransmitterEmpty = 0x02; // priority 3
constexpr uint8_t kIirReceivedData = 0x04; // priority 2
constexpr uint8_t kIirReceiverLineStatus = 0x06; // priority 1 (highest)
constexpr uint8_t kIirFifosEnabled = 0xc0;

constexpr uint8_t kFcrFifoEnable = 0x01;

constexpr uint8_t kLcrDLAB = 0x80;

constexpr uint8_t kMcrDTR = 0x01;
constexpr uint8_t kMcrRTS = 0x02;
constexpr uint8_t kMcrOUT1 = 0x04;
constexpr uint8_t kMcrOUT2 = 0x08; // on a PC, gates the UART's interrupt onto the ISA bus
constexpr uint8_t kMcrLOOP = 0x10;
constexpr uint8_t kMcrMask = 0x1f; // bits 5-7 are always 0 on a 16550A

constexpr uint8_t kLsrDR = 0x01;
constexpr uint8_t kLsrOE = 0x02;
constexpr uint8_t kLsrTHRE = 0x20;
constexpr uint8_t kLsrTEMT = 0x40;

constexpr uint8_t kMsrDCTS = 0x01;
constexpr uint8_t kMsrDDSR = 0x02;
constexpr uint8_t kMsrTERI = 0x04;
constexpr uint8_t kMsrDDCD = 0x08;
constexpr uint8_t kMsrDeltas = 0x0f;
constexpr uint8_t kMsrCTS = 0x10;
constexpr uint8_t kMsrDSR = 0x20;
constexpr uint8_t kMsrRI = 0x40;
constexpr uint8_t kMsrDCD = 0x80;
constexpr uint8_t kMsrLines = 0xf0;

} // namespace

Serial8250::Serial8250(std::shared_ptr<InterruptLine> interrupt, Output output)
    : m_interrupt(std::move(interrupt))
    , m_output(std::move(output))
{
    m_msr = modemStatusLines();
}

void Serial8250::read(uint64_t offset, std::span<uint8_t> data)
{
    if (data.size() != 1)
        return; // every register is 8 bits wide; the bus already zero-filled `data`
    std::lock_guard lock(m_mutex);
    data[0] = readRegister(offset);
    updateInterrupt();
}

void Serial8250::write(uint64_t offset, std::span<const uint8_t> data)
{
    if (data.size() != 1)
        return;
    bool transmitted = false;
    {
        std::lock_guard lock(m_mutex);
        transmitted = writeRegister(offset, data[0]);
        updateInterrupt();
    }
    // Outside the lock, so a slow output never stalls host input. Order is kept: the guest's
    // driver serializes its THR writes, and each returns only after this call.
    if (transmitted && m_output)
        m_output(data);
}

size_t Serial8250::queueInput(std::span<const uint8_t> bytes)
{
    std::lock_guard lock(m_mutex);
    if (!isListening())
        return 0;
    size_t accepted = std::min(bytes.size(), kReceiveCapacity - m_receiveCount);
    for (size_t i = 0; i < accepted; ++i)
        m_receiveBuffer[(m_receiveHead + m_receiveCount + i) % kReceiveCapacity] = bytes[i];
    m_receiveCount += accepted;
    m_counters.bytesIn += accepted;
    if (accepted < bytes.size())
        ++m_counters.inputRefusals;
    updateInterrupt();
    return accepted;
}

bool Serial8250::canAcceptInput() const
{
    std::lock_guard lock(m_mutex);
    return isListening() && m_receiveCount < kReceiveCapacity;
}

Serial8250::Counters Serial8250::counters() const
{
    std::lock_guard lock(m_mutex);
    return m_counters;
}

uint8_t Serial8250::readRegister(uint64_t offset)
{
    const bool dlab = (m_lcr & kLcrDLAB) != 0;
    switch (offset) {
    case kRBR:
        return dlab ? m_dll : takeReceived();
    case kIER:
        return dlab ? m_dlm : m_ier;
    case kIIR: {
        uint8_t identification = interruptIdentification();
        // Data sheet, IIR: reading it while it reports THRE as the source clears that interrupt.
        if (identification == kIirTransmitterEmpty)
            m_thrEmptyPending = false;
        return identification | (m_fifoEnabled ? kIirFifosEnabled : 0);
    }
    case kLCR:
        return m_lcr;
    case kMCR:
        return m_mcr;
    case kLSR: {
        // The transmitter is always empty: bytes leave as soon as they are written.
        uint8_t status = kLsrTHRE | kLsrTEMT;
        if (m_receiveCount > 0)
            status |= kLsrDR;
        if (m_overrun)
            status |= kLsrOE;
        m_overrun = false; // error bits clear on read
        return status;
    }
    case kMSR: {
        uint8_t status = m_msr;
        m_msr &= kMsrLines; // delta bits clear on read
        return status;
    }
    case kSCR:
        return m_scr;
    default:
        return 0;
    }
}

bool Serial8250::writeRegister(uint64_t offset, uint8_t value)
{
    const bool dlab = (m_lcr & kLcrDLAB) != 0;
    switch (offset) {
    case kTHR: {
        if (dlab) {
            m_dll = value;
            return false;
        }
        const bool loopback = (m_mcr & kMcrLOOP) != 0;
        if (loopback)
            receive(value);
        else
            ++m_counters.bytesOut;
        // The byte left at once, so the holding register is empty again.
        m_thrEmptyPending = (m_ier & kIerETBEI) != 0;
        return !loopback;
    }
    case kIER: {
        if (dlab) {
            m_dlm = value;
            return false;
        }
        const uint8_t enabled = value & kIerMask;
        // Enabling ETBEI while THR is empty raises THRE at once: Linux's startup probe
        // (UART_BUG_THRE) toggles ETBEI and expects the interrupt to come back each time.
        if ((enabled & kIerETBEI) && !(m_ier & kIerETBEI))
            m_thrEmptyPending = true;
        else if (!(enabled & kIerETBEI))
            m_thrEmptyPending = false;
        m_ier = enabled;
        return false;
    }
    case kFCR:
        // A FIFO reset (bits 1-2) does not discard received host bytes: the host is the line's
        // far end, and a byte queued before the reset could as well have arrived just after it;
        // discarding it would lose what the user typed. The transmit FIFO is always empty.
        m_fifoEnabled = (value & kFcrFifoEnable) != 0;
        return false;
    case kLCR:
        m_lcr = value;
        return false;
    case kMCR:
        setModemControl(value);
        return false;
    case kSCR:
        m_scr = value;
        return false;
    default:
        return false; // LSR and MSR are read-only (writing them is a factory test mode)
    }
}

uint8_t Serial8250::interruptIdentification() const
{
    if ((m_ier & kIerELSI) && m_overrun)
        return kIirReceiverLineStatus;
    if ((m_ier & kIerERBFI) && m_receiveCount > 0)
        return kIirReceivedData;
    if ((m_ier & kIerETBEI) && m_thrEmptyPending)
        return kIirTransmitterEmpty;
    if ((m_ier & kIerEDSSI) && (m_msr & kMsrDeltas))
        return kIirModemStatus;
    return kIirNoInterruptPending;
}

uint8_t Serial8250::modemStatusLines() const
{
    if (!(m_mcr & kMcrLOOP))
        return kMsrDCD | kMsrDSR | kMsrCTS; // a terminal is always attached and ready
    // Data sheet, MCR bit 4 (loop): the control outputs are wired back to the status inputs.
    uint8_t lines = 0;
    if (m_mcr & kMcrRTS)
        lines |= kMsrCTS;
    if (m_mcr & kMcrDTR)
        lines |= kMsrDSR;
    if (m_mcr & kMcrOUT1)
        lines |= kMsrRI;
    if (m_mcr & kMcrOUT2)
        lines |= kMsrDCD;
    return lines;
}

void Serial8250::setModemControl(uint8_t value)
{
    const uint8_t before = m_msr & kMsrLines;
    m_mcr = value & kMcrMask;
    const uint8_t after = modemStatusLines();
    const uint8_t changed = before ^ after;
    uint8_t deltas = 0;
    if (changed & kMsrCTS)
        deltas |= kMsrDCTS;
    if (changed & kMsrDSR)
        deltas |= kMsrDDSR;
    if ((before & kMsrRI) && !(after & kMsrRI))
        deltas |= kMsrTERI; // trailing edge of ring indicator only
    if (changed & kMsrDCD)
        deltas |= kMsrDDCD;
    m_msr = static_cast<uint8_t>(after | (m_msr & kMsrDeltas) | deltas);
}

void Serial8250::receive(uint8_t byte)
{
    if (m_receiveCount == kReceiveCapacity) {
        m_overrun = true; // the guest outran itself in loopback: the byte is lost, as on hardware
        return;
    }
    m_receiveBuffer[(m_receiveHead + m_receiveCount) % kReceiveCapacity] = byte;
    ++m_receiveCount;
}

uint8_t Serial8250::takeReceived()
{
    if (m_receiveCount == 0)
        return 0;
    uint8_t byte = m_receiveBuffer[m_receiveHead];
    m_receiveHead = (m_receiveHead + 1) % kReceiveCapacity;
    --m_receiveCount;
    return byte;
}

bool Serial8250::isListening() const
{
    // Linux enables the receive interrupt only once its driver is ready to take input (after
    // it has reset the FIFOs and read RBR to clear it, twice, at startup); input handed over
    // earlier would be eaten by that. In loopback the serial input is disconnected (MCR bit 4).
    return (m_ier & kIerERBFI) && !(m_mcr & kMcrLOOP);
}

void Serial8250::updateInterrupt()
{
    const bool level =
        interruptIdentification() != kIirNoInterruptPending && (m_mcr & kMcrOUT2) != 0;
    if (level == m_lineLevel)
        return;
    m_lineLevel = level;
    // Under the lock, so that two threads cannot apply their levels in the wrong order.
    if (m_interrupt)
        m_interrupt->setLevel(level);
}

} // namespace vmm
