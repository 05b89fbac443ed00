#include "Cpuid.h"

#include <algorithm>
#include <bit>

namespace vmm::x86_64 {

static constexpr uint32_t kAmdVendorEbx = 0x68747541; // "Auth" of "AuthenticAMD"

static uint32_t bitsFor(uint32_t count)
{
    // Number of APIC ID bits needed to number `count` cores.
    return count <= 1 ? 0 : static_cast<uint32_t>(std::bit_width(count - 1));
}

static bool isAmd(std::span<const kvm_cpuid_entry2> entries)
{
    auto vendor = std::find_if(entries.begin(), entries.end(), [](const kvm_cpuid_entry2& entry) {
        return entry.function == 0;
    });
    return vendor != entries.end() && vendor->ebx == kAmdVendorEbx;
}

static void setTopologyLeaf(kvm_cpuid_entry2& entry, uint32_t vcpuIndex, uint32_t vcpuCount)
{
    // Leaf 0xB / 0x1F (Intel SDM vol. 2A, CPUID "Extended Topology"): level 0 SMT (one thread
    // per core), level 1 core (all vCPUs in one package), then an invalid level.
    entry.edx = vcpuIndex;
    switch (entry.index) {
    case 0:
        entry.eax = 0;
        entry.ebx = 1;
        entry.ecx = (1u << 8) | entry.index;
        break;
    case 1:
        entry.eax = bitsFor(vcpuCount);
        entry.ebx = vcpuCount;
        entry.ecx = (2u << 8) | entry.index;
        break;
    default:
        entry.eax = 0;
        entry.ebx = 0;
        entry.ecx = entry.index;
        break;
    }
}

std::vector<kvm_cpuid_entry2> guestCpuid(std::span<const kvm_cpuid_entry2> supported,
    uint32_t vcpuIndex, uint32_t vcpuCount)
{
    std::vector<kvm_cpuid_entry2> entries(supported.begin(), supported.end());
    bool amd = isAmd(supported);
    for (kvm_cpuid_entry2& entry : entries) {
        switch (entry.function) {
        case kCpuidFeatureLeaf:
            entry.ebx = (entry.ebx & 0x0000ffffu) | (vcpuIndex << 24) | ((vcpuCount & 0xff) << 16);
            entry.ebx = (entry.ebx & ~0xff00u) | (8u << 8); // CLFLUSH line: 8 quadwords
            entry.ecx |= kCpuidHypervisorBit | kCpuidTscDeadlineBit;
            entry.ecx &= ~kCpuidPdcmBit;
            if (vcpuCount > 1)
                entry.edx |= kCpuidHttBit;
            else
                entry.edx &= ~kCpuidHttBit;
            break;
        case 0x4:
            // Deterministic cache parameters: cores per package - 1 in EAX[31:26].
            entry.eax = (entry.eax & 0x03ffffffu) | ((std::min(vcpuCount, 64u) - 1) << 26);
            break;
        case 0x6:
            entry.ecx &= ~(1u << 3); // energy-performance bias: not emulated
            break;
        case 0xa:
            entry.eax = entry.ebx = entry.ecx = entry.edx = 0; // no performance monitoring
            break;
        case 0xb:
        case 0x1f:
            setTopologyLeaf(entry, vcpuIndex, vcpuCount);
            break;
        case 0x80000001:
            if (amd)
                entry.ecx &= ~(1u << 22); // topology extensions: leaf 0x8000001e is not filled in
            break;
        case 0x80000008:
            if (amd)
                entry.ecx = (entry.ecx & ~0xffu) | ((vcpuCount - 1) & 0xffu);
            break;
        default:
            break;
        }
    }
    return entries;
}

} // namespace vmm::x86_64
