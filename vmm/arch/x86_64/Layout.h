#pragma once

#include "memory/GuestAddress.h"

#include <cstdint>

// Guest-physical layout of an Airlock x86_64 microVM. Low-memory boot structures follow the
// places Firecracker and Cloud Hypervisor use (VMM-NOTES.md §3.2), so their documentation applies.
namespace vmm::x86_64 {

inline constexpr GuestAddress kGdtAddress { 0x500 };
/// After the five-entry boot GDT (0x500..0x527).
inline constexpr GuestAddress kIdtAddress { 0x540 };
inline constexpr GuestAddress kBootParamsAddress { 0x7000 };
inline constexpr uint64_t kBootStackPointer = 0x8ff0;
inline constexpr GuestAddress kPml4Address { 0x9000 };
inline constexpr GuestAddress kPdptAddress { 0xa000 };
/// Four page directories (0xb000..0xefff) identity-map the first 4 GiB with 2 MiB pages.
inline constexpr GuestAddress kPageDirectoryAddress { 0xb000 };
inline constexpr uint64_t kIdentityMappedGiB = 4;
inline constexpr GuestAddress kCommandLineAddress { 0x20000 };
/// The x86 kernel's COMMAND_LINE_SIZE; a header may announce less (cmdline_size).
inline constexpr uint64_t kCommandLineCapacity = 2048;
/// The MP table lives in the last KiB of base memory, where Linux looks for it.
inline constexpr GuestAddress kMpTableAddress { 0x9fc00 };
inline constexpr uint64_t kMpTableCapacity = 0x400;
/// Usable low RAM ends where the MP table starts; 0x9fc00..1 MiB is reserved.
inline constexpr uint64_t kLowRamEnd = 0x9fc00;
/// The protected-mode kernel is loaded at 1 MiB (boot protocol "code32_start").
inline constexpr GuestAddress kKernelLoadAddress { 0x100000 };
/// The 64-bit entry point of a bzImage is 0x200 bytes into the protected-mode kernel.
inline constexpr uint64_t kBzImage64BitEntryOffset = 0x200;

/// No RAM between 3 GiB and 4 GiB: device MMIO, IOAPIC, local APIC, TSS pages live there.
inline constexpr uint64_t kMmioHoleStart = 0xc000'0000;
inline constexpr uint64_t kMmioHoleEnd = 0x1'0000'0000;
inline constexpr uint64_t kIoApicAddress = 0xfec0'0000;
inline constexpr uint64_t kLocalApicAddress = 0xfee0'0000;
inline constexpr uint64_t kTssAddress = 0xfffb'd000;
inline constexpr uint64_t kIdentityMapPageAddress = 0xfffb'c000;

/// The linear framebuffer (a memory slot of its own, announced in boot_params.screen_info, not
/// in the E820 map): from 3.25 GiB, above the virtio windows (which end by 0xc001'3000), with
/// room for the largest screen FramebufferGeometry allows (7680x4320x4 = 127 MiB) below the
/// IOAPIC.
inline constexpr uint64_t kFramebufferAddress = 0xd000'0000;
inline constexpr uint64_t kFramebufferMaxBytes = 0x0800'0000;
static_assert(kFramebufferAddress + kFramebufferMaxBytes <= kIoApicAddress);

/// ISA interrupt lines of the legacy devices.
inline constexpr uint32_t kSerialIrq = 4;
inline constexpr uint32_t kIoApicPinCount = 24;

/// virtio-mmio devices: one 4 KiB window each from the bottom of the MMIO hole, announced on the
/// kernel command line (virtio_mmio.device=4K@base:irq). Their interrupts use IOAPIC pins 5..23
/// (pins 0..4 are the timer, keyboard, cascade, COM2 and COM1), as Firecracker does.
inline constexpr uint64_t kVirtioMmioBase = kMmioHoleStart;
inline constexpr uint64_t kVirtioMmioWindow = 0x1000;
inline constexpr uint32_t kVirtioFirstIrq = 5;
inline constexpr uint32_t kVirtioMaxDevices = kIoApicPinCount - kVirtioFirstIrq;

} // namespace vmm::x86_64
