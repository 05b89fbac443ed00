#pragma once

#include <linux/kvm.h>

#include <array>
#include <cstddef>
#include <cstdint>

namespace vmm::x86_64 {

/// The boot GDT. Selectors follow the Linux boot protocol (boot.rst, "64-bit Boot Protocol"):
/// __BOOT_CS = 0x10 and __BOOT_DS = 0x18, both flat 4 GiB; a TSS descriptor follows for VMX.
inline constexpr uint16_t kBootCodeSelector = 0x10;
inline constexpr uint16_t kBootDataSelector = 0x18;
inline constexpr uint16_t kBootTssSelector = 0x20;
inline constexpr size_t kBootGdtEntries = 5;

/// Encodes one segment descriptor from its access/flags word (bits 0-7 access, 12-15 flags),
/// base and 20-bit limit, in the layout of the Intel SDM vol. 3 §3.4.5.
constexpr uint64_t gdtEntry(uint16_t flags, uint32_t base, uint32_t limit)
{
    return ((uint64_t { base } & 0xff000000u) << (56 - 24)) | ((uint64_t { flags } & 0x0000f0ffu) << 40)
        | ((uint64_t { limit } & 0x000f0000u) << (48 - 16)) | ((uint64_t { base } & 0x00ffffffu) << 16)
        | (uint64_t { limit } & 0x0000ffffu);
}

/// The five descriptors: null, null, 64-bit code, data, TSS.
std::array<uint64_t, kBootGdtEntries> bootGdt();

/// The hidden segment register state KVM needs for `descriptor` loaded with `selector`.
kvm_segment segmentFromDescriptor(uint64_t descriptor, uint16_t selector);

} // namespace vmm::x86_64
