#pragma once

#include "memory/GuestMemory.h"
#include "sys/Result.h"

#include <linux/kvm.h>

#include <cstdint>

namespace vmm::x86_64 {

inline constexpr uint64_t kCr0ProtectionEnable = 1ull << 0;
inline constexpr uint64_t kCr0ExtensionType = 1ull << 4;
inline constexpr uint64_t kCr0Paging = 1ull << 31;
inline constexpr uint64_t kCr4Pae = 1ull << 5;
inline constexpr uint64_t kEferLongModeEnable = 1ull << 8;
inline constexpr uint64_t kEferLongModeActive = 1ull << 10;

/// Writes the boot GDT at kGdtAddress and an empty IDT at kIdtAddress.
Result<void> writeGdtAndIdt(const GuestMemory& memory);

/// General registers at the 64-bit entry: RIP = entry, RSI = zero page, a boot stack, IF clear.
kvm_regs bootRegisters(uint64_t entry);

/// `current` (from KVM_GET_SREGS) switched to 64-bit long mode with paging through `cr3`, the
/// boot GDT and flat __BOOT_CS/__BOOT_DS segments.
kvm_sregs bootSpecialRegisters(const kvm_sregs& current, uint64_t cr3);

/// x87 and SSE control words at their reset values.
kvm_fpu bootFpu();

/// `state` with LINT0 delivering ExtINT (the PIC) and LINT1 delivering NMI, as on a PC.
kvm_lapic_state withLegacyInterruptPins(const kvm_lapic_state& state);

} // namespace vmm::x86_64
