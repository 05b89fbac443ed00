#pragma once

#include <linux/kvm.h>

#include <cstddef>
#include <cstdint>

// The kernel's uapi headers declare the variable-length KVM structs with __DECLARE_FLEX_ARRAY,
// which in C++ adds a one-byte empty struct: sizeof(kvm_cpuid2) becomes 12 instead of 8, the
// entries move to offset 12, and the ioctl numbers built from those sizes are ones the kernel
// rejects (EINVAL). These are the C layouts, with the ioctl numbers the kernel expects.
namespace vmm::kvm_abi {

/// struct kvm_cpuid2 without its flexible array; kvm_cpuid_entry2 entries follow at offset 8.
struct Cpuid2Header {
    uint32_t nent;
    uint32_t padding;
};
static_assert(sizeof(Cpuid2Header) == 8);
static_assert(sizeof(kvm_cpuid_entry2) == 40);

/// struct kvm_msrs without its flexible array; kvm_msr_entry entries follow at offset 8.
struct MsrsHeader {
    uint32_t nmsrs;
    uint32_t pad;
};
static_assert(sizeof(MsrsHeader) == 8);
static_assert(sizeof(kvm_msr_entry) == 16);

inline constexpr unsigned long kGetSupportedCpuid = _IOWR(KVMIO, 0x05, Cpuid2Header);
inline constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, Cpuid2Header);
inline constexpr unsigned long kSetMsrs = _IOW(KVMIO, 0x89, MsrsHeader);

} // namespace vmm::kvm_abi
