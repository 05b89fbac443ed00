#include "VcpuFd.h"

#include "KvmAbi.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <cerrno>
#include <string>
#include <sys/ioctl.h>

namespace vmm {

kvm_run* VcpuFd::runStructure() const
{
    // Safety: m_run maps KVM_GET_VCPU_MMAP_SIZE bytes (checked >= sizeof(kvm_run)) of this vCPU's
    // shared run page, page-aligned, for the lifetime of this object.
    return reinterpret_cast<kvm_run*>(m_run.data());
}

void VcpuFd::requestImmediateExit(bool enabled)
{
    // Another thread sets this while the vCPU thread may be entering KVM_RUN: make the store
    // visible before the signal that follows it.
    std::atomic_ref<uint8_t>(runStructure()->immediate_exit).store(enabled ? 1 : 0);
}

static std::span<uint8_t> ioData(const MappedRegion& page, const kvm_run& run)
{
    // The offsets come from KVM, not the guest, but a span must never leave the mapping.
    uint64_t offset = run.io.data_offset;
    uint64_t length = uint64_t { run.io.size } * run.io.count;
    if (offset > page.size() || length > page.size() - offset)
        return {};
    return { page.data() + offset, static_cast<size_t>(length) };
}

Result<VcpuExit> VcpuFd::run()
{
    if (::ioctl(m_fd.get(), KVM_RUN, 0) < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return InterruptedExit {};
        return failure(Error::fromErrno("KVM_RUN", errno));
    }
    kvm_run* run = runStructure();
    switch (run->exit_reason) {
    case KVM_EXIT_IO: {
        std::span<uint8_t> data = ioData(m_run, *run);
        if (data.empty())
            return failure(Error::invalid("KVM_RUN", "port I/O exit with a data range outside the run page"));
        if (run->io.direction == KVM_EXIT_IO_IN)
            return IoInExit { run->io.port, run->io.size, run->io.count, data };
        return IoOutExit { run->io.port, run->io.size, run->io.count, data };
    }
    case KVM_EXIT_MMIO: {
        uint32_t length = run->mmio.len > sizeof run->mmio.data ? 0 : run->mmio.len;
        std::span<uint8_t> data(run->mmio.data, length);
        if (run->mmio.is_write)
            return MmioWriteExit { run->mmio.phys_addr, data };
        return MmioReadExit { run->mmio.phys_addr, data };
    }
    case KVM_EXIT_HLT:
        return HaltExit {};
    case KVM_EXIT_SHUTDOWN:
        return ShutdownExit {};
    case KVM_EXIT_SYSTEM_EVENT: {
        SystemEventExit::Kind kind = SystemEventExit::Kind::Other;
        if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
            kind = SystemEventExit::Kind::Shutdown;
        else if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
            kind = SystemEventExit::Kind::Reset;
        else if (run->system_event.type == KVM_SYSTEM_EVENT_CRASH)
            kind = SystemEventExit::Kind::Crash;
        return SystemEventExit { kind, run->system_event.type };
    }
    case KVM_EXIT_FAIL_ENTRY:
        return FailEntryExit { run->fail_entry.hardware_entry_failure_reason };
    case KVM_EXIT_INTERNAL_ERROR:
        return InternalErrorExit { run->internal.suberror };
    case KVM_EXIT_INTR:
        return InterruptedExit {};
    default:
        return UnknownExit { run->exit_reason };
    }
}

Result<kvm_regs> VcpuFd::registers() const
{
    kvm_regs registers {};
    // Safety: KVM writes exactly one kvm_regs.
    if (::ioctl(m_fd.get(), KVM_GET_REGS, &registers) < 0)
        return failure(Error::fromErrno("KVM_GET_REGS", errno));
    return registers;
}

Result<void> VcpuFd::setRegisters(const kvm_regs& registers) const
{
    // Safety: KVM reads exactly one kvm_regs.
    if (::ioctl(m_fd.get(), KVM_SET_REGS, &registers) < 0)
        return failure(Error::fromErrno("KVM_SET_REGS", errno));
    return {};
}

Result<kvm_sregs> VcpuFd::specialRegisters() const
{
    kvm_sregs registers {};
    // Safety: KVM writes exactly one kvm_sregs.
    if (::ioctl(m_fd.get(), KVM_GET_SREGS, &registers) < 0)
        return failure(Error::fromErrno("KVM_GET_SREGS", errno));
    return registers;
}

Result<void> VcpuFd::setSpecialRegisters(const kvm_sregs& registers) const
{
    // Safety: KVM reads exactly one kvm_sregs.
    if (::ioctl(m_fd.get(), KVM_SET_SREGS, &registers) < 0)
        return failure(Error::fromErrno("KVM_SET_SREGS", errno));
    return {};
}

Result<void> VcpuFd::setFpu(const kvm_fpu& fpu) const
{
    // Safety: KVM reads exactly one kvm_fpu.
    if (::ioctl(m_fd.get(), KVM_SET_FPU, &fpu) < 0)
        return failure(Error::fromErrno("KVM_SET_FPU", errno));
    return {};
}

Result<void> VcpuFd::setMsrs(std::span<const MsrValue> msrs) const
{
    // Header and entries in one buffer, laid out as the kernel's C struct kvm_msrs (KvmAbi.h).
    std::vector<uint8_t> buffer(sizeof(kvm_abi::MsrsHeader) + msrs.size() * sizeof(kvm_msr_entry));
    kvm_abi::MsrsHeader header { static_cast<uint32_t>(msrs.size()), 0 };
    std::memcpy(buffer.data(), &header, sizeof header);
    for (size_t i = 0; i < msrs.size(); ++i) {
        kvm_msr_entry entry {};
        entry.index = msrs[i].index;
        entry.data = msrs[i].value;
        std::memcpy(buffer.data() + sizeof header + i * sizeof entry, &entry, sizeof entry);
    }
    // Safety: KVM reads the header and nmsrs entries from the buffer described above.
    int written = ::ioctl(m_fd.get(), kvm_abi::kSetMsrs, buffer.data());
    if (written < 0)
        return failure(Error::fromErrno("KVM_SET_MSRS", errno));
    if (static_cast<size_t>(written) != msrs.size()) {
        char index[16];
        std::snprintf(index, sizeof index, "%#x", msrs[static_cast<size_t>(written)].index);
        return failure(Error::invalid("KVM_SET_MSRS", std::string("KVM refused MSR ") + index));
    }
    return {};
}

Result<void> VcpuFd::setCpuid(std::span<const kvm_cpuid_entry2> entries) const
{
    // Header and entries in one buffer, laid out as the kernel's C struct kvm_cpuid2 (KvmAbi.h).
    std::vector<uint8_t> buffer(sizeof(kvm_abi::Cpuid2Header) + entries.size() * sizeof(kvm_cpuid_entry2));
    kvm_abi::Cpuid2Header header { static_cast<uint32_t>(entries.size()), 0 };
    std::memcpy(buffer.data(), &header, sizeof header);
    std::memcpy(buffer.data() + sizeof header, entries.data(), entries.size_bytes());
    // Safety: KVM reads the header and nent entries from the buffer described above.
    if (::ioctl(m_fd.get(), kvm_abi::kSetCpuid2, buffer.data()) < 0)
        return failure(Error::fromErrno("KVM_SET_CPUID2", errno));
    return {};
}

Result<kvm_lapic_state> VcpuFd::localApic() const
{
    kvm_lapic_state state {};
    // Safety: KVM writes exactly one kvm_lapic_state.
    if (::ioctl(m_fd.get(), KVM_GET_LAPIC, &state) < 0)
        return failure(Error::fromErrno("KVM_GET_LAPIC", errno));
    return state;
}

Result<void> VcpuFd::setLocalApic(const kvm_lapic_state& state) const
{
    // Safety: KVM reads exactly one kvm_lapic_state.
    if (::ioctl(m_fd.get(), KVM_SET_LAPIC, &state) < 0)
        return failure(Error::fromErrno("KVM_SET_LAPIC", errno));
    return {};
}

} // namespace vmm
