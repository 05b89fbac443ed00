#pragma once

#include "VcpuFd.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace vmm {

/// One KVM virtual machine: memory slots, the in-kernel interrupt controllers, eventfd wiring.
class VmFd {
public:
    explicit VmFd(UniqueFd fd)
        : m_fd(std::move(fd))
    {
    }

    /// KVM_CHECK_EXTENSION on the VM: the capability's value, 0 when absent.
    int checkCapability(long capability) const;
    /// KVM_SET_TSS_ADDR: three pages KVM needs below 4 GiB on Intel hosts.
    Result<void> setTssAddress(uint64_t address) const;
    /// KVM_SET_IDENTITY_MAP_ADDR: one page KVM needs on Intel hosts without unrestricted guest.
    Result<void> setIdentityMapAddress(uint64_t address) const;
    /// KVM_CREATE_IRQCHIP: in-kernel PIC, IOAPIC and local APICs.
    Result<void> createIrqchip() const;
    /// KVM_CREATE_PIT2 with a dummy speaker port, so port 0x61 never exits.
    Result<void> createPit() const;
    /// KVM_SET_USER_MEMORY_REGION: maps `size` bytes at `hostAddress` to guest `guestAddress`;
    /// `flags` e.g. KVM_MEM_LOG_DIRTY_PAGES.
    Result<void> setUserMemoryRegion(uint32_t slot, uint64_t guestAddress, uint64_t size,
        void* hostAddress, uint32_t flags = 0) const;
    /// KVM_GET_DIRTY_LOG: the pages of `slot` (dirty-logged) written since the last call, one bit
    /// per 4 KiB page; `bitmap` holds at least (slot pages + 63) / 64 words. KVM clears its log.
    Result<void> getDirtyLog(uint32_t slot, std::span<uint64_t> bitmap) const;
    /// KVM_IRQ_LINE: drives the interrupt input `gsi` high or low.
    Result<void> setIrqLine(uint32_t gsi, bool level) const;
    /// KVM_IOEVENTFD: a 4-byte guest write of `value` at MMIO `address` signals `eventFd`.
    Result<void> registerIoEventFd(int eventFd, uint64_t address, uint32_t value) const;
    /// KVM_IRQFD: signalling `eventFd` injects an edge on `gsi`.
    Result<void> registerIrqFd(int eventFd, uint32_t gsi) const;
    /// KVM_CREATE_VCPU with id `index`, mapping its kvm_run page of `mmapSize` bytes.
    Result<VcpuFd> createVcpu(uint32_t index, size_t mmapSize) const;

private:
    UniqueFd m_fd;
};

} // namespace vmm
