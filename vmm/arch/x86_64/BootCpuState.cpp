#include "BootCpuState.h"

#include "Gdt.h"
#include "Layout.h"

#include <cstring>

namespace vmm::x86_64 {

static constexpr size_t kApicLvt0 = 0x350;
static constexpr size_t kApicLvt1 = 0x360;
static constexpr uint32_t kApicDeliveryModeMask = 0x700;
static constexpr uint32_t kApicDeliveryModeExtInt = 0x700;
static constexpr uint32_t kApicDeliveryModeNmi = 0x400;

Result<void> writeGdtAndIdt(const GuestMemory& memory)
{
    VMM_TRY(memory.writeObject(kGdtAddress, bootGdt()));
    return memory.writeObject(kIdtAddress, uint64_t { 0 });
}

kvm_regs bootRegisters(uint64_t entry)
{
    kvm_regs registers {};
    registers.rflags = 0x2; // bit 1 is reserved and always set; IF clear
    registers.rip = entry;
    registers.rsp = kBootStackPointer;
    registers.rbp = kBootStackPointer;
    registers.rsi = kBootParamsAddress.value();
    return registers;
}

kvm_sregs bootSpecialRegisters(const kvm_sregs& current, uint64_t cr3)
{
    kvm_sregs registers = current;
    auto gdt = bootGdt();
    registers.gdt.base = kGdtAddress.value();
    registers.gdt.limit = static_cast<uint16_t>(sizeof gdt - 1);
    registers.idt.base = kIdtAddress.value();
    registers.idt.limit = sizeof(uint64_t) - 1;

    kvm_segment code = segmentFromDescriptor(gdt[kBootCodeSelector / 8], kBootCodeSelector);
    kvm_segment data = segmentFromDescriptor(gdt[kBootDataSelector / 8], kBootDataSelector);
    kvm_segment tss = segmentFromDescriptor(gdt[kBootTssSelector / 8], kBootTssSelector);
    registers.cs = code;
    registers.ds = data;
    registers.es = data;
    registers.fs = data;
    registers.gs = data;
    registers.ss = data;
    registers.tr = tss;

    // Reset CR0 has caching disabled (CD|NW): start from a clean value, not from the reset state.
    registers.cr0 = kCr0ProtectionEnable | kCr0ExtensionType | kCr0Paging;
    registers.cr3 = cr3;
    registers.cr4 = kCr4Pae;
    registers.efer = kEferLongModeEnable | kEferLongModeActive;
    return registers;
}

kvm_fpu bootFpu()
{
    kvm_fpu fpu {};
    fpu.fcw = 0x37f;
    fpu.mxcsr = 0x1f80;
    return fpu;
}

static uint32_t apicRegister(const kvm_lapic_state& state, size_t offset)
{
    uint32_t value = 0;
    std::memcpy(&value, state.regs + offset, sizeof value);
    return value;
}

static void setApicRegister(kvm_lapic_state& state, size_t offset, uint32_t value)
{
    std::memcpy(state.regs + offset, &value, sizeof value);
}

kvm_lapic_state withLegacyInterruptPins(const kvm_lapic_state& state)
{
    kvm_lapic_state result = state;
    uint32_t lvt0 = apicRegister(result, kApicLvt0);
    setApicRegister(result, kApicLvt0, (lvt0 & ~kApicDeliveryModeMask) | kApicDeliveryModeExtInt);
    uint32_t lvt1 = apicRegister(result, kApicLvt1);
    setApicRegister(result, kApicLvt1, (lvt1 & ~kApicDeliveryModeMask) | kApicDeliveryModeNmi);
    return result;
}

} // namespace vmm::x86_64
