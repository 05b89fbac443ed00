#pragma once

#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <optional>
#include <string>

// The host side of the hybrid vsock: plain Unix stream sockets, every one non-blocking and
// close-on-exec.
namespace vmm::vsock {

/// A listening socket bound at `path`; fails when `path` exists already (it is never replaced)
/// or does not fit in sockaddr_un.
Result<UniqueFd> listenUnix(const std::string& path);
/// A socket connected to the listener at `path` (a Unix connect completes at once or fails).
Result<UniqueFd> connectUnix(const std::string& path);
/// The next client waiting on `listener`, or nothing when none is waiting.
Result<std::optional<UniqueFd>> acceptUnix(int listener);

} // namespace vmm::vsock
