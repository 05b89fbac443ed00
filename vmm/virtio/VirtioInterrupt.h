#pragma once

#include "sys/EventFd.h"
#include "sys/Result.h"

#include <atomic>
#include <cstdint>

namespace vmm {

/// A virtio-mmio device's interrupt: the InterruptStatus bits (virtio 1.1 §4.2.2) and the
/// eventfd the machine registers as a KVM irqfd, so that signalling it injects the interrupt
/// without a trip through the VMM. Any thread may raise or acknowledge.
class VirtioInterrupt {
public:
    static Result<VirtioInterrupt> create();

    /// Sets the "used buffer" cause and interrupts the guest.
    void signalUsedBuffers() { raise(1); }
    /// Sets the "configuration change" cause and interrupts the guest.
    void signalConfigChange() { raise(2); }
    /// The InterruptStatus register.
    uint32_t status() const { return m_status.load(std::memory_order_acquire); }
    /// InterruptACK: clears the causes in `bits`.
    void acknowledge(uint32_t bits) { m_status.fetch_and(~bits, std::memory_order_acq_rel); }
    /// Clears every cause (device reset).
    void clear() { m_status.store(0, std::memory_order_release); }
    /// The eventfd to register with VmFd::registerIrqFd().
    const EventFd& eventFd() const { return m_eventFd; }

    VirtioInterrupt(VirtioInterrupt&& other) noexcept;

private:
    explicit VirtioInterrupt(EventFd eventFd);
    void raise(uint32_t cause);

    EventFd m_eventFd;
    std::atomic<uint32_t> m_status {0};
};

} // namespace vmm
