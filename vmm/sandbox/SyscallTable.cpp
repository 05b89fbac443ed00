#include "SyscallTable.h"

#include <seccomp.h>

#include <linux/kvm.h>
#include <sys/ioctl.h>

// The allow-lists, as data. To allow one more syscall, add one row. To find which call killed
// airlock-vmm: `strace -f` shows it just before "+++ killed by SIGSYS +++", and the kernel's audit
// log (dmesg: "audit: type=1326 ... sig=31 ... syscall=N") names its number (ausyscall N).
// Every row says why the call is needed; a call nobody can explain does not belong here.

namespace vmm {

namespace {

#define SYSCALL(name) SCMP_SYS(name), #name
#define IOCTL(request) request, #request

constexpr unsigned V = kForVcpu;
constexpr unsigned D = kForDevice;
constexpr unsigned M = kForMain;
constexpr unsigned VD = kForVcpu | kForDevice;
constexpr unsigned DM = kForDevice | kForMain;
constexpr unsigned All = kForAll;
constexpr unsigned B = kForBroker;
constexpr unsigned S = kForDisplay; // S for screen: D is taken by the device thread
using enum ArgumentRule;

const SyscallRule kSyscalls[] = {
    // Every thread: memory, locks, signals, exit.
    {SYSCALL(read), All, Any,
        "eventfd counters (kicks, wake-ups, ioeventfd), pipes, sockets, files"},
    {SYSCALL(write), All, Any,
        "eventfd signals (irqfd, wake-ups), console output, logging to stderr"},
    {SYSCALL(writev), All, Any, "stdio and iostreams may gather a log line into one writev"},
    {SYSCALL(futex), All, Any, "mutexes, condition variables, std::thread::join"},
    {SYSCALL(rt_sigreturn), All, Any, "returning from the vCPU kick signal's handler"},
    {SYSCALL(rt_sigprocmask), All, Any, "glibc masks signals around thread start and exit"},
    {SYSCALL(restart_syscall), All, Any, "resuming a wait that the kick signal interrupted"},
    {SYSCALL(mmap), All, NoExecutableMemory, "malloc's large allocations and arenas"},
    {SYSCALL(mprotect), All, NoExecutableMemory, "malloc grows a thread's arena with mprotect"},
    {SYSCALL(munmap), All, Any, "free() of large allocations"},
    {SYSCALL(madvise), All, Any,
        "free() trims arenas (MADV_DONTNEED); a thread's exit frees its stack"},
    {SYSCALL(brk), All, Any, "malloc's main arena"},
    {SYSCALL(exit), All, Any, "a thread ends"},
    {SYSCALL(exit_group), All, Any, "the process ends"},
    {SYSCALL(sched_yield), All, Any, "spin-then-yield in locks"},
    {SYSCALL(clock_gettime), All, Any, "timestamps (when the vDSO cannot answer)"},
    {SYSCALL(clock_nanosleep), All, Any, "std::this_thread::sleep_for"},
    {SYSCALL(nanosleep), All, Any, "sleeps in older library code"},
    {SYSCALL(gettid), All, Any, "logging and pthread internals"},
    {SYSCALL(getpid), All, Any, "logging and raise()"},
    {SYSCALL(tgkill), All, OwnProcessOnly,
        "kicking a vCPU out of KVM_RUN (pthread_kill), from any thread that stops the machine"},
    {SYSCALL(newfstatat), All, Any,
        "fstat(): stdio checks the output fd on its first write; file sizes"},
    {SYSCALL(fstat), All, Any, "fstat() on older glibc"},
    {SYSCALL(ioctl), VD | S, IoctlAllowList, "KVM_RUN and friends; see the ioctl table"},
#if defined(__SANITIZE_ADDRESS__)
    // Sanitizer builds only (tests): AddressSanitizer's runtime makes calls of its own.
    {SYSCALL(sigaltstack), All, Any,
        "ASan: the runtime sets up and tears down a signal stack per thread"},
    {SYSCALL(pipe2), All, Any,
        "ASan: the runtime checks memory is readable by writing it to a pipe"},
    {SYSCALL(close), All, Any, "ASan: closing the pipe it checked memory with"},
    {SYSCALL(sigaltstack), B, Any, "ASan: the runtime sets up and tears down a signal stack"},
    {SYSCALL(pipe2), B, Any, "ASan: the runtime checks memory is readable by writing it to a pipe"},
    {SYSCALL(gettid), B, Any, "ASan: the runtime names the thread in its reports"},
    {SYSCALL(getpid), B, Any, "ASan: the runtime names the process in its reports"},
    {SYSCALL(clock_gettime), B, Any, "ASan: the runtime's allocator reads the time"},
    {SYSCALL(sched_yield), B, Any, "ASan: the runtime's spin locks yield"},
#endif

    // The device thread: the event loop, block files, vsock over Unix sockets.
    {SYSCALL(epoll_wait), DM, Any, "the device event loop waits"},
    {SYSCALL(epoll_pwait), DM, Any, "epoll_wait on newer glibc"},
    {SYSCALL(epoll_ctl), DM, Any, "registering and removing fds (vsock connections come and go)"},
    {SYSCALL(epoll_create1), DM, Any, "an event loop created after sandboxing"},
    {SYSCALL(eventfd2), DM, Any, "eventfds for connections made at run time"},
    {SYSCALL(readv), DM, Any, "scattered reads (virtio descriptor chains)"},
    {SYSCALL(pread64), DM, Any, "block reads: datasets and the scratch file"},
    {SYSCALL(pwrite64), DM, Any, "block writes: the scratch file"},
    {SYSCALL(preadv), DM, Any, "scattered block reads"},
    {SYSCALL(pwritev), DM, Any, "scattered block writes"},
    {SYSCALL(preadv2), DM, Any, "scattered block reads (glibc may use the v2 call)"},
    {SYSCALL(pwritev2), DM, Any, "scattered block writes (glibc may use the v2 call)"},
    {SYSCALL(lseek), DM, Any, "file sizes and positions (SEEK_END, SEEK_DATA)"},
    {SYSCALL(fdatasync), DM, Any, "virtio-blk flush on the scratch file"},
    {SYSCALL(fsync), DM, Any, "flush where fdatasync is not enough"},
    {SYSCALL(fallocate), DM, Any, "discard and write-zeroes punch holes in the scratch file"},
    {SYSCALL(getrandom), DM, Any, "virtio-rng and OpenSSL's generator"},
    {SYSCALL(socket), DM, UnixSocketsOnly,
        "vsock: guest-initiated connections reach host Unix sockets"},
    {SYSCALL(connect), DM, Any,
        "vsock: connecting to the host's Unix socket (AF_UNIX only: see socket)"},
    {SYSCALL(accept4), DM, Any, "vsock and control: host-initiated connections"},
    {SYSCALL(recvmsg), DM, Any,
        "control and vsock streams; the dataset broker's replies and the descriptors it opened "
        "(SCM_RIGHTS) for hot-added datasets: device thread (image reads), main and manifest "
        "threads"},
    {SYSCALL(sendmsg), DM, Any,
        "control and vsock streams; grant and open requests to the dataset broker"},
    {SYSCALL(recvfrom), DM, Any, "recv() on sockets"},
    {SYSCALL(sendto), DM, Any, "send() on sockets"},
    {SYSCALL(shutdown), DM, Any, "vsock: half-closing a stream"},
    {SYSCALL(getsockopt), DM, Any, "SO_ERROR after a non-blocking connect"},
    {SYSCALL(setsockopt), DM, Any, "socket buffer sizes"},
    {SYSCALL(fcntl), DM, Any, "making accepted sockets non-blocking (F_GETFL/F_SETFL)"},
    {SYSCALL(close), DM, Any, "closing connections and cached dataset files"},
    {SYSCALL(openat), D, ReadOnlyOpen,
        "the dataset fd cache opens original files lazily, read-only"},
    {SYSCALL(statx), DM, Any, "checking a dataset file has not changed"},
    {SYSCALL(openat2), DM, Any,
        "dataset files are opened beneath their folder (RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS); its "
        "flags sit in a struct seccomp cannot read, so Landlock confines it: datasets read-only"},
    {SYSCALL(readlinkat), DM, Any, "checking a dataset symlink has not changed"},
    {SYSCALL(fadvise64), DM, Any,
        "hashing dataset files: tell the kernel the reads are sequential"},
    {SYSCALL(sched_setscheduler), M, Any, "dataset hashing threads lower themselves to SCHED_IDLE"},
    {SYSCALL(dup), M, Any, "re-scanning a dataset's folders at the end (fdopendir on a copy)"},
    {SYSCALL(timerfd_create), DM, Any, "vsock connect and shutdown timeouts on the device loop"},
    {SYSCALL(timerfd_settime), DM, Any, "arming the vsock timeouts"},
    {SYSCALL(munlock), DM, Any,
        "releasing the scratch key's locked pages when the disk is destroyed"},

    // The display thread (vmm/display): the VNC server's own loop and libvncserver under it. Its
    // listening sockets are made before the sandbox; viewers are accepted and served here.
    {SYSCALL(ppoll), S, Any,
        "the display loop waits for viewers, their messages and the frame tick"},
    {SYSCALL(poll), S, Any, "poll() on older glibc"},
    {SYSCALL(select), S, Any, "libvncserver waits on its clients' sockets with select()"},
    {SYSCALL(pselect6), S, Any, "select() on newer glibc"},
    {SYSCALL(accept4), S, Any, "accepting a viewer on the display's Unix (or loopback) socket"},
    {SYSCALL(socketpair), S, UnixSocketsOnly,
        "a viewer is handed to libvncserver through a socket pair, so that its WebSocket "
        "sniffing never reads the viewer's bytes (see DisplayServer.cpp)"},
    {SYSCALL(dup3), S, Any, "putting the viewer's socket in place of the socket pair's end"},
    {SYSCALL(close), S, Any, "closing viewers that left, were refused or were too many"},
    {SYSCALL(shutdown), S, Any, "libvncserver shuts a viewer's socket down before closing it"},
    {SYSCALL(fcntl), S, Any, "libvncserver makes a viewer's socket non-blocking"},
    {SYSCALL(setsockopt), S, Any, "TCP_NODELAY on a loopback viewer"},
    {SYSCALL(getpeername), S, Any, "libvncserver asks who a new viewer is, for its logs"},
    {SYSCALL(getsockname), S, Any, "libvncserver's address lookup of a new viewer"},
    {SYSCALL(recvfrom), S, Any, "recv(): libvncserver peeks at a viewer's first bytes"},
    {SYSCALL(sendto), S, Any, "send() on a viewer's socket"},
    {SYSCALL(gettimeofday), S, Any, "libvncserver's timestamps (when the vDSO cannot answer)"},

    // The main thread: supervision, shutdown and shred.
    {SYSCALL(ioctl), M, IoctlAllowList, "KVM ioctls and the terminal's mode (see the ioctl table)"},
    {SYSCALL(openat), M, Any, "writing the shred report; opening files at shutdown"},
    {SYSCALL(getdents64), M, Any, "listing the session directory to remove it"},
    {SYSCALL(unlink), M, Any, "shred: unlinking the scratch file and sockets"},
    {SYSCALL(unlinkat), M, Any, "shred: unlinking inside the session directory"},
    {SYSCALL(rmdir), M, Any, "shred: removing the session directory"},
    {SYSCALL(mincore), DM, Any,
        "resident guest RAM for the metrics; shred: checking no page stays resident after release"},
    {SYSCALL(rename), M, Any,
        "the shred report is written whole: a temporary file renamed into place"},
    {SYSCALL(ftruncate), M, Any,
        "shred: discarding the scratch file where holes cannot be punched"},

    {SYSCALL(bind), M, Any, "listening Unix sockets for host-initiated vsock connections"},
    {SYSCALL(listen), M, Any, "listening Unix sockets for host-initiated vsock connections"},
    {SYSCALL(pipe2), M, Any, "self-pipes for signal handling"},
    {SYSCALL(signalfd4), M, Any, "the console session reads SIGINT/SIGTERM/SIGHUP from a signalfd"},
    {SYSCALL(poll), M, Any, "waiting on the control socket and the console"},
    {SYSCALL(ppoll), M, Any, "poll() on newer glibc"},
    {SYSCALL(kill), M, OwnProcessOnly, "raise() and stopping ourselves; no other process"},

    {SYSCALL(wait4), M, Any, "reaping a child, should a library have made one"},
    {SYSCALL(rt_sigaction), M, Any, "installing signal handlers (termination, the vCPU kick)"},
    {SYSCALL(sigaltstack), M, Any, "glibc sets up and tears down alternate signal stacks"},
    {SYSCALL(clone), M, ThreadsOnly, "starting the vCPU and device threads"},
    {SYSCALL(clone3), M, FailWithEnosys,
        "clone3's flags are out of a filter's reach: glibc falls back to clone"},
    {SYSCALL(set_robust_list), M, Any, "a new thread registers its robust futex list"},
    {SYSCALL(rseq), M, Any, "a new thread registers restartable sequences"},
    {SYSCALL(sched_getaffinity), M, Any, "std::thread::hardware_concurrency"},
    {SYSCALL(prctl), M, SafePrctl,
        "naming threads; libseccomp sets no_new_privs before loading a filter"},
    {SYSCALL(seccomp), M, Any,
        "threads started later install their own filters (filters only narrow)"},

    // The dataset broker (vmm/broker): a process of its own, forked before any filter; it only
    // receives requests, opens beneath granted datasets and sends back descriptors.
    {SYSCALL(recvmsg), B, Any, "receiving grant and open requests from the VMM"},
    {SYSCALL(sendmsg), B, Any, "answering, with the opened descriptor as SCM_RIGHTS"},
    {SYSCALL(openat2), B, Any,
        "opening beneath a granted dataset (RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS); the flags sit in "
        "a struct seccomp cannot read: they are checked in the broker, and Landlock is read-only"},
    {SYSCALL(openat), B, ReadOnlyOpen,
        "opening a granted dataset's folder (O_PATH, then O_DIRECTORY); per-component opens "
        "where openat2 is missing"},
    {SYSCALL(fstat), B, Any, "what a granted path is: folder, file or link"},
    {SYSCALL(newfstatat), B, Any, "checking a one-file dataset is still the file granted"},
    {SYSCALL(close), B, Any, "closing descriptors once sent"},
    {SYSCALL(read), B, Any, "glibc and OpenSSL internals (never a socket or dataset file)"},
    {SYSCALL(write), B, Any, "glibc's fatal error messages (to /dev/null: stderr is detached)"},
    {SYSCALL(futex), B, Any, "OpenSSL's locks and run-once initialization"},
    {SYSCALL(brk), B, Any, "malloc's main arena"},
    {SYSCALL(mmap), B, NoExecutableMemory, "malloc's large allocations"},
    {SYSCALL(munmap), B, Any, "free() of large allocations"},
    {SYSCALL(madvise), B, Any, "free() trims the heap"},
    {SYSCALL(rt_sigreturn), B, Any, "returning from a signal handler inherited from the VMM"},
    {SYSCALL(rt_sigprocmask), B, Any, "glibc masks signals around critical sections"},
    {SYSCALL(exit_group), B, Any, "the broker ends when the VMM closes its socket"},
    {SYSCALL(exit), B, Any, "the broker ends"},
};

const IoctlRule kIoctls[] = {
    {IOCTL(KVM_RUN), V, "running the vCPU"},
    {IOCTL(KVM_IRQ_LINE), All,
        "legacy devices (serial, i8042) raise and lower their interrupt lines"},
    {IOCTL(KVM_GET_REGS), V, "reporting where a crashed guest stopped"},
    {IOCTL(KVM_GET_SREGS), V, "reporting where a crashed guest stopped"},
    {IOCTL(KVM_GET_DIRTY_LOG), S,
        "the framebuffer's dirty pages, read by the display thread at each frame tick"},
    {IOCTL(TCGETS), All, "isatty(): stdio asks on its first write to a character device"},
    {IOCTL(TCSETS), M, "restoring the terminal's mode after an interactive console"},
    {IOCTL(TCSETSW), M, "restoring the terminal's mode after an interactive console"},
    {IOCTL(TCSETSF), M, "restoring the terminal's mode after an interactive console"},
};

#undef SYSCALL
#undef IOCTL

} // namespace

const char* threadKindName(ThreadKind kind)
{
    switch (kind) {
    case ThreadKind::Vcpu:
        return "vcpu";
    case ThreadKind::Device:
        return "device";
    case ThreadKind::Main:
        return "main";
    case ThreadKind::Broker:
        return "broker";
    case ThreadKind::Display:
        return "display";
    }
    return "unknown";
}

bool appliesTo(unsigned kinds, ThreadKind kind)
{
    switch (kind) {
    case ThreadKind::Vcpu:
        return kinds & kForVcpu;
    case ThreadKind::Device:
        return kinds & kForDevice;
    case ThreadKind::Main:
        return kinds & kForAll; // the union of the VMM's kinds, plus its own rows
    case ThreadKind::Broker:
        return kinds & kForBroker;
    case ThreadKind::Display:
        return kinds & kForDisplay;
    }
    return false;
}

std::span<const SyscallRule> syscallAllowList()
{
    return kSyscalls;
}

std::span<const IoctlRule> ioctlAllowList()
{
    return kIoctls;
}

} // namespace vmm
