#pragma once

#include "sys/Result.h"
#include "virtio/MmioTransport.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vmm {

class Bus;
class EventLoop;
class GuestMemory;
class VmFd;

/// Places virtio-mmio devices in the MMIO hole, one 4 KiB window and one IOAPIC pin each, wires
/// their notifications (ioeventfd) and interrupts (irqfd) to KVM and their processing to the
/// device loop, and writes the kernel parameters that describe them (virtio_mmio.device=...).
class VirtioDevices {
public:
    /// Adds `device`; fails when the slots (IOAPIC pins 5..23) are used up.
    Result<std::shared_ptr<MmioTransport>> add(std::shared_ptr<VirtioDevice> device,
        const GuestMemory& memory, const VmFd& vm, Bus& mmioBus, EventLoop& loop);

    /// "virtio_mmio.device=4K@0xc0000000:5 ..." for every device added so far.
    std::string kernelParameters() const;
    /// The same parameters for `count` devices, before they exist (the command line is written
    /// into guest memory before the devices are created).
    static std::string kernelParametersFor(size_t count);

private:
    std::vector<std::shared_ptr<MmioTransport>> m_transports;
};

} // namespace vmm
