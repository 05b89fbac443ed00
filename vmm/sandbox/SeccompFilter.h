#pragma once

#include "SyscallTable.h"
#include "sys/Result.h"

#include <string>
#include <vector>

namespace vmm {

/// Installs `kind`'s allow-list (syscallAllowList()) as a seccomp filter on the calling thread
/// only (no TSYNC: each thread installs its own kind). A syscall not on the list kills the whole
/// process with SIGSYS, as does a syscall of another architecture. Filters stack: a thread
/// started after its creator installed a filter is bound by both, so install Main's last or make
/// sure Main's allows what the others need (it does: it is their union). Sets no_new_privs.
Result<void> installSyscallFilter(ThreadKind kind);

/// The names of the syscalls `kind` may make (each once, in table order), for logs and tests.
std::vector<std::string> allowedSyscallNames(ThreadKind kind);

} // namespace vmm
