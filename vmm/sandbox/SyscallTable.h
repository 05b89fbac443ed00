#pragma once

#include <cstdint>
#include <span>

namespace vmm {

/// The kinds of thread in airlock-vmm; each installs its own seccomp allow-list.
enum class ThreadKind {
    Vcpu, ///< runs KVM_RUN and the port I/O and MMIO exits it returns
    Device, ///< runs the device event loop: virtio queues, block files, vsock sockets
    Main, ///< sets up, supervises, shuts down and shreds: everything the others may do and more
    Broker, ///< the dataset broker, a process of its own: opens granted datasets, read-only
    Display, ///< the VNC server: accepts viewers, reads the framebuffer's dirty log, sends frames
};

/// One-line name of a kind ("vcpu", "device", "main", "broker", "display").
const char* threadKindName(ThreadKind kind);

/// Which thread kinds a table row is for. Main allows every row of the VMM's kinds (it is their
/// union plus its own); the broker, a separate process, only the rows marked for it.
enum ThreadKindMask : unsigned {
    kForVcpu = 1u << 0,
    kForDevice = 1u << 1,
    kForMain = 1u << 2,
    kForDisplay = 1u << 4,
    kForAll = kForVcpu | kForDevice | kForMain | kForDisplay,
    kForBroker = 1u << 3,
};

/// What a row allows of a syscall's arguments.
enum class ArgumentRule {
    Any, ///< every call
    IoctlAllowList, ///< ioctl: only the requests of ioctlAllowList() for the thread's kind
    UnixSocketsOnly, ///< socket: domain AF_UNIX only (no network from airlock-vmm)
    NoExecutableMemory, ///< mmap, mprotect: never PROT_EXEC (no new code at run time)
    ReadOnlyOpen, ///< openat: O_RDONLY without O_CREAT, O_TRUNC or O_APPEND
    ThreadsOnly, ///< clone: CLONE_THREAD | CLONE_VM set (threads yes, new processes no)
    OwnProcessOnly, ///< kill, tgkill: the first argument is this process's id
    SafePrctl, ///< prctl: naming threads, no_new_privs and reading flags only
    FailWithEnosys, ///< not allowed, but fails with ENOSYS instead of killing (clone3: glibc falls
                    ///< back to clone)
};

/// One allowed syscall: its number, name, the kinds of thread that may call it and why.
struct SyscallRule {
    int number;
    const char* name;
    unsigned kinds;
    ArgumentRule argument;
    const char* why;
};

/// One allowed ioctl request (for ArgumentRule::IoctlAllowList).
struct IoctlRule {
    unsigned long request;
    const char* name;
    unsigned kinds;
    const char* why;
};

/// The allow-list of every kind of thread, one row per syscall and kind set (SyscallTable.cpp).
std::span<const SyscallRule> syscallAllowList();
/// The ioctl requests allowed per kind of thread.
std::span<const IoctlRule> ioctlAllowList();
/// Whether a row with `kinds` applies to a thread of `kind`.
bool appliesTo(unsigned kinds, ThreadKind kind);

} // namespace vmm
