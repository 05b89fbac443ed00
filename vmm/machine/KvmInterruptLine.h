#pragma once

#include "bus/InterruptLine.h"
#include "kvm/VmFd.h"

#include <cstdint>

namespace vmm {

/// An interrupt line wired to a GSI of KVM's in-kernel PIC and IOAPIC (KVM_IRQ_LINE).
class KvmInterruptLine final : public InterruptLine {
public:
    KvmInterruptLine(const VmFd& vm, uint32_t gsi)
        : m_vm(vm)
        , m_gsi(gsi)
    {
    }
    void setLevel(bool asserted) override
    {
        // KVM_IRQ_LINE only fails for a GSI outside the routing table, which the machine chose.
        [[maybe_unused]] auto result = m_vm.setIrqLine(m_gsi, asserted);
    }

private:
    const VmFd& m_vm;
    uint32_t m_gsi;
};

} // namespace vmm
