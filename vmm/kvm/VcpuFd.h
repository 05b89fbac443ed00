#pragma once

#include "VcpuExit.h"
#include "sys/MappedRegion.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <linux/kvm.h>

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace vmm {

/// One MSR index and the value to give it.
struct MsrValue {
    uint32_t index;
    uint64_t value;
};

/// One virtual CPU: its registers and its run loop entry. Used from its own thread only, except
/// requestImmediateExit(), which any thread may call.
class VcpuFd {
public:
    VcpuFd(UniqueFd fd, MappedRegion run, uint32_t index)
        : m_fd(std::move(fd))
        , m_run(std::move(run))
        , m_index(index)
    {
    }

    uint32_t index() const { return m_index; }

    /// KVM_RUN: runs the guest until an exit this process must handle.
    Result<VcpuExit> run();
    /// Makes the current or next KVM_RUN return at once (pair with a signal to the vCPU thread).
    void requestImmediateExit(bool enabled);

    Result<kvm_regs> registers() const;
    Result<void> setRegisters(const kvm_regs& registers) const;
    Result<kvm_sregs> specialRegisters() const;
    Result<void> setSpecialRegisters(const kvm_sregs& registers) const;
    Result<void> setFpu(const kvm_fpu& fpu) const;
    /// KVM_SET_MSRS; fails unless KVM accepted every entry.
    Result<void> setMsrs(std::span<const MsrValue> msrs) const;
    /// KVM_SET_CPUID2 with `entries`.
    Result<void> setCpuid(std::span<const kvm_cpuid_entry2> entries) const;
    Result<kvm_lapic_state> localApic() const;
    Result<void> setLocalApic(const kvm_lapic_state& state) const;

private:
    kvm_run* runStructure() const;

    UniqueFd m_fd;
    MappedRegion m_run;
    uint32_t m_index = 0;
};

} // namespace vmm
