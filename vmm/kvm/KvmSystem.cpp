#include "KvmSystem.h"

#include "KvmAbi.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/ioctl.h>

namespace vmm {

static constexpr int kExpectedApiVersion = 12;
// KVM_MAX_CPUID_ENTRIES: the most the kernel fills in (it rejects larger requests on some versions).
static constexpr size_t kMaxCpuidEntries = 256;

Result<KvmSystem> KvmSystem::open(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        if (error == ENOENT)
            return failure(Error::fromErrno("open " + path, error,
                "KVM is not available on this machine; enable virtualization (VT-x or AMD-V) in the "
                "firmware and load the kvm_intel or kvm_amd module, or run through the KVM lab "
                "(tests/lab/run)"));
        if (error == EACCES || error == EPERM)
            return failure(Error::fromErrno("open " + path, error,
                "no permission to use KVM; add your user to the 'kvm' group and log in again"));
        return failure(Error::fromErrno("open " + path, error));
    }
    KvmSystem system { UniqueFd(fd) };
    int version = ::ioctl(fd, KVM_GET_API_VERSION, 0);
    if (version != kExpectedApiVersion)
        return failure(Error::invalid("KVM_GET_API_VERSION",
            "KVM API version " + std::to_string(version) + ", expected 12"));
    return system;
}

int KvmSystem::checkCapability(long capability) const
{
    int value = ::ioctl(m_fd.get(), KVM_CHECK_EXTENSION, capability);
    return value < 0 ? 0 : value;
}

Result<void> KvmSystem::requireCapability(long capability, const char* name) const
{
    if (checkCapability(capability) <= 0)
        return failure(Error::invalid("KVM_CHECK_EXTENSION",
            std::string("this host's KVM lacks ") + name + ", which Airlock needs"));
    return {};
}

Result<size_t> KvmSystem::vcpuMmapSize() const
{
    int size = ::ioctl(m_fd.get(), KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < 0)
        return failure(Error::fromErrno("KVM_GET_VCPU_MMAP_SIZE", errno));
    if (static_cast<size_t>(size) < sizeof(kvm_run))
        return failure(Error::invalid("KVM_GET_VCPU_MMAP_SIZE", "smaller than struct kvm_run"));
    return static_cast<size_t>(size);
}

Result<std::vector<kvm_cpuid_entry2>> KvmSystem::supportedCpuid() const
{
    // The header and the entries in one buffer, laid out as the kernel's C struct (KvmAbi.h).
    std::vector<uint8_t> buffer(sizeof(kvm_abi::Cpuid2Header) + kMaxCpuidEntries * sizeof(kvm_cpuid_entry2));
    kvm_abi::Cpuid2Header header { static_cast<uint32_t>(kMaxCpuidEntries), 0 };
    std::memcpy(buffer.data(), &header, sizeof header);
    // Safety: the buffer holds the 8-byte header and room for nent entries; KVM writes at most
    // nent entries after the header and updates nent.
    if (::ioctl(m_fd.get(), kvm_abi::kGetSupportedCpuid, buffer.data()) < 0)
        return failure(Error::fromErrno("KVM_GET_SUPPORTED_CPUID", errno));
    std::memcpy(&header, buffer.data(), sizeof header);
    if (header.nent > kMaxCpuidEntries)
        return failure(Error::invalid("KVM_GET_SUPPORTED_CPUID", "more entries than requested"));
    std::vector<kvm_cpuid_entry2> entries(header.nent);
    std::memcpy(entries.data(), buffer.data() + sizeof header, header.nent * sizeof(kvm_cpuid_entry2));
    return entries;
}

Result<VmFd> KvmSystem::createVm() const
{
    int fd = -1;
    do {
        fd = ::ioctl(m_fd.get(), KVM_CREATE_VM, 0);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return failure(Error::fromErrno("KVM_CREATE_VM", errno));
    return VmFd(UniqueFd(fd));
}

} // namespace vmm
