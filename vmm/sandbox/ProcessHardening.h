#pragma once

#include "sys/Result.h"

#include <span>

namespace vmm {

/// Closes every file descriptor this process holds except 0, 1, 2 and `keep` (close_range over
/// the gaps; /proc/self/fd where close_range is missing). Standard input, output and error stay
/// so that a later open() can never land on fd 2 and receive log lines.
Result<void> closeInheritedFileDescriptors(std::span<const int> keep);

/// PR_SET_NO_NEW_PRIVS: nothing this process executes can gain privileges (setuid, file caps).
Result<void> setNoNewPrivileges();

/// RLIMIT_CORE = 0 (soft and hard) and PR_SET_DUMPABLE 0: no core dump of guest memory or keys,
/// and no ptrace attach or /proc/<pid>/mem access by other processes of the same user.
Result<void> disableCoreDumps();

/// The three above, in order: what airlock-vmm does to itself before the guest runs.
Result<void> hardenProcess(std::span<const int> keep);

} // namespace vmm
