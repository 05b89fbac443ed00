#pragma once

#include <cstdint>
#include <span>

#include <sys/types.h>

namespace vmm {

/// Runs the dataset broker in the calling process, freshly forked from `parent`: confines itself
/// (only `socket` stays open, PR_SET_PDEATHSIG, no_new_privs, no core dumps, Landlock read-only
/// on /, the Broker seccomp list), says Ready on `socket` (or StartFailed and why), then answers
/// grant and open requests until the socket closes. Never returns.
[[noreturn]] void runDatasetBroker(int socket, std::span<const uint8_t, 32> key, pid_t parent);

} // namespace vmm
