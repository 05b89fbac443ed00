#pragma once

#include <cstdint>
#include <span>
#include <variant>

namespace vmm {

// Why KVM_RUN returned, as a typed value (STYLE.md §8). The spans point into the vCPU's kvm_run
// page and stay valid until the next VcpuFd::run() on the same vCPU.

/// A guest `in`: the VMM fills `data` (count accesses of size bytes each, back to back).
struct IoInExit {
    uint16_t port;
    uint8_t size;
    uint32_t count;
    std::span<uint8_t> data;
};
/// A guest `out` of `data` (count accesses of size bytes each, back to back).
struct IoOutExit {
    uint16_t port;
    uint8_t size;
    uint32_t count;
    std::span<const uint8_t> data;
};
/// A guest read of MMIO that no memory slot backs: the VMM fills `data`.
struct MmioReadExit {
    uint64_t address;
    std::span<uint8_t> data;
};
/// A guest write to MMIO that no memory slot backs.
struct MmioWriteExit {
    uint64_t address;
    std::span<const uint8_t> data;
};
/// The vCPU executed HLT and userspace must wait (only without an in-kernel LAPIC).
struct HaltExit { };
/// Triple fault: the CPU shut down.
struct ShutdownExit { };
/// A system event: the guest asked for power-off, reset or reported a crash.
struct SystemEventExit {
    enum class Kind { Shutdown, Reset, Crash, Other };
    Kind kind;
    uint32_t rawType;
};
/// VM entry failed; `reason` is the hardware's entry failure reason.
struct FailEntryExit {
    uint64_t reason;
};
/// KVM could not emulate something; `suberror` says what.
struct InternalErrorExit {
    uint32_t suberror;
};
/// KVM_RUN was interrupted by a signal or immediate_exit: check for commands, then run again.
struct InterruptedExit { };
/// An exit reason this VMM does not handle.
struct UnknownExit {
    uint32_t reason;
};

using VcpuExit = std::variant<IoInExit, IoOutExit, MmioReadExit, MmioWriteExit, HaltExit,
    ShutdownExit, SystemEventExit, FailEntryExit, InternalErrorExit, InterruptedExit, UnknownExit>;

} // namespace vmm
