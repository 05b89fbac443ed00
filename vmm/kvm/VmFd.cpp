#include "VmFd.h"

#include <linux/kvm.h>

#include <cerrno>
#include <sys/ioctl.h>
#include <sys/mman.h>

namespace vmm {

int VmFd::checkCapability(long capability) const
{
    int value = ::ioctl(m_fd.get(), KVM_CHECK_EXTENSION, capability);
    return value < 0 ? 0 : value;
}

Result<void> VmFd::setTssAddress(uint64_t address) const
{
    if (::ioctl(m_fd.get(), KVM_SET_TSS_ADDR, address) < 0)
        return failure(Error::fromErrno("KVM_SET_TSS_ADDR", errno));
    return {};
}

Result<void> VmFd::setIdentityMapAddress(uint64_t address) const
{
    // Safety: KVM reads one u64 from the pointer during the call.
    if (::ioctl(m_fd.get(), KVM_SET_IDENTITY_MAP_ADDR, &address) < 0)
        return failure(Error::fromErrno("KVM_SET_IDENTITY_MAP_ADDR", errno));
    return {};
}

Result<void> VmFd::createIrqchip() const
{
    if (::ioctl(m_fd.get(), KVM_CREATE_IRQCHIP, 0) < 0)
        return failure(Error::fromErrno("KVM_CREATE_IRQCHIP", errno));
    return {};
}

Result<void> VmFd::createPit() const
{
    kvm_pit_config config {};
    config.flags = KVM_PIT_SPEAKER_DUMMY;
    // Safety: KVM reads the struct during the call.
    if (::ioctl(m_fd.get(), KVM_CREATE_PIT2, &config) < 0)
        return failure(Error::fromErrno("KVM_CREATE_PIT2", errno));
    return {};
}

Result<void> VmFd::setUserMemoryRegion(uint32_t slot, uint64_t guestAddress, uint64_t size,
    void* hostAddress, uint32_t flags) const
{
    kvm_userspace_memory_region region {};
    region.slot = slot;
    region.flags = flags;
    region.guest_phys_addr = guestAddress;
    region.memory_size = size;
    region.userspace_addr = reinterpret_cast<uint64_t>(hostAddress);
    // Safety: the caller keeps [hostAddress, hostAddress + size) mapped for the VM's lifetime
    // (GuestMemory outlives the VM); KVM reads the struct during the call.
    if (::ioctl(m_fd.get(), KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return failure(Error::fromErrno("KVM_SET_USER_MEMORY_REGION", errno));
    return {};
}

Result<void> VmFd::getDirtyLog(uint32_t slot, std::span<uint64_t> bitmap) const
{
    kvm_dirty_log log {};
    log.slot = slot;
    // Safety: KVM writes one bit per page of the slot; the caller sized `bitmap` for the slot.
    log.dirty_bitmap = bitmap.data();
    if (::ioctl(m_fd.get(), KVM_GET_DIRTY_LOG, &log) < 0)
        return failure(Error::fromErrno("KVM_GET_DIRTY_LOG", errno));
    return {};
}

Result<void> VmFd::setIrqLine(uint32_t gsi, bool level) const
{
    kvm_irq_level irq {};
    irq.irq = gsi;
    irq.level = level ? 1 : 0;
    // Safety: KVM reads the struct during the call.
    if (::ioctl(m_fd.get(), KVM_IRQ_LINE, &irq) < 0)
        return failure(Error::fromErrno("KVM_IRQ_LINE", errno));
    return {};
}

Result<void> VmFd::registerIoEventFd(int eventFd, uint64_t address, uint32_t value) const
{
    kvm_ioeventfd request {};
    request.datamatch = value;
    request.addr = address;
    request.len = 4;
    request.fd = eventFd;
    request.flags = KVM_IOEVENTFD_FLAG_DATAMATCH;
    // Safety: KVM reads the struct during the call and takes its own reference to the eventfd.
    if (::ioctl(m_fd.get(), KVM_IOEVENTFD, &request) < 0)
        return failure(Error::fromErrno("KVM_IOEVENTFD", errno));
    return {};
}

Result<void> VmFd::registerIrqFd(int eventFd, uint32_t gsi) const
{
    kvm_irqfd request {};
    request.fd = static_cast<uint32_t>(eventFd);
    request.gsi = gsi;
    // Safety: KVM reads the struct during the call and takes its own reference to the eventfd.
    if (::ioctl(m_fd.get(), KVM_IRQFD, &request) < 0)
        return failure(Error::fromErrno("KVM_IRQFD", errno));
    return {};
}

Result<VcpuFd> VmFd::createVcpu(uint32_t index, size_t mmapSize) const
{
    int fd = ::ioctl(m_fd.get(), KVM_CREATE_VCPU, index);
    if (fd < 0)
        return failure(Error::fromErrno("KVM_CREATE_VCPU", errno));
    UniqueFd vcpuFd(fd);
    auto run = VMM_TRY(MappedRegion::map(mmapSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd));
    return VcpuFd(std::move(vcpuFd), std::move(run), index);
}

} // namespace vmm
