#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <span>
#include <vector>

namespace vmm::x86_64 {

inline constexpr uint32_t kCpuidFeatureLeaf = 0x1;
inline constexpr uint32_t kCpuidHypervisorBit = 1u << 31;  // leaf 1 ECX
inline constexpr uint32_t kCpuidTscDeadlineBit = 1u << 24; // leaf 1 ECX
inline constexpr uint32_t kCpuidPdcmBit = 1u << 15;        // leaf 1 ECX
inline constexpr uint32_t kCpuidHttBit = 1u << 28;         // leaf 1 EDX

/// The CPUID table for vCPU `vcpuIndex` of `vcpuCount`, derived from KVM_GET_SUPPORTED_CPUID:
/// APIC IDs and topology filled in (one package, one thread per core), the hypervisor and
/// TSC-deadline bits set, features KVM does not emulate for guests hidden (performance
/// monitoring, energy-performance bias, PDCM). Like kvmtool's filter plus the topology leaves.
std::vector<kvm_cpuid_entry2> guestCpuid(std::span<const kvm_cpuid_entry2> supported,
    uint32_t vcpuIndex, uint32_t vcpuCount);

} // namespace vmm::x86_64
