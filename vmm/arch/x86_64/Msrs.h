#pragma once

#include "kvm/VcpuFd.h"

#include <vector>

namespace vmm::x86_64 {

inline constexpr uint32_t kMsrIa32Tsc = 0x10;
inline constexpr uint32_t kMsrIa32SysenterCs = 0x174;
inline constexpr uint32_t kMsrIa32SysenterEsp = 0x175;
inline constexpr uint32_t kMsrIa32SysenterEip = 0x176;
inline constexpr uint32_t kMsrIa32MiscEnable = 0x1a0;
inline constexpr uint32_t kMsrMtrrDefType = 0x2ff;
inline constexpr uint32_t kMsrStar = 0xc0000081;
inline constexpr uint32_t kMsrLstar = 0xc0000082;
inline constexpr uint32_t kMsrCstar = 0xc0000083;
inline constexpr uint32_t kMsrSyscallMask = 0xc0000084;
inline constexpr uint32_t kMsrKernelGsBase = 0xc0000102;

inline constexpr uint64_t kMiscEnableFastStrings = 1;
inline constexpr uint64_t kMtrrEnable = 1ull << 11;
inline constexpr uint64_t kMtrrTypeWriteBack = 6;

/// MSR values at boot: syscall MSRs and TSC cleared, fast strings on, MTRRs enabled with
/// write-back as the default type (as Firecracker's create_boot_msr_entries).
std::vector<MsrValue> bootMsrs();

} // namespace vmm::x86_64
