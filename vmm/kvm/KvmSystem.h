#pragma once

#include "VmFd.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <linux/kvm.h>

#include <string>
#include <vector>

namespace vmm {

/// The KVM subsystem: an open /dev/kvm with a checked API version.
class KvmSystem {
public:
    /// Opens `path` (normally /dev/kvm); the error tells a person what to do when it is missing.
    static Result<KvmSystem> open(const std::string& path = "/dev/kvm");

    /// Fails naming `name` when the capability is absent.
    Result<void> requireCapability(long capability, const char* name) const;
    /// KVM_CHECK_EXTENSION: the capability's value, 0 when absent.
    int checkCapability(long capability) const;
    /// The size of each vCPU's kvm_run mapping.
    Result<size_t> vcpuMmapSize() const;
    /// The CPUID leaves this host's KVM can offer a guest.
    Result<std::vector<kvm_cpuid_entry2>> supportedCpuid() const;
    /// Creates an empty VM.
    Result<VmFd> createVm() const;

private:
    explicit KvmSystem(UniqueFd fd)
        : m_fd(std::move(fd))
    {
    }
    UniqueFd m_fd;
};

} // namespace vmm
