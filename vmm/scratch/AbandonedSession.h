#pragma once

#include "ShredReport.h"

#include <string>
#include <string_view>

namespace vmm {

/// Regular files in a session directory whose names start with this are scratch disks
/// (EncryptedScratch): "scratch.img", "scratch-work.img".
inline constexpr std::string_view kScratchFilePrefix = "scratch";

/// For the supervisor, once an airlock-vmm that could not shred itself (killed with SIGKILL) has
/// been reaped: removes what is left in its session directory (scratch files, sockets, anything
/// else, then the directory) without following symlinks, and reports each item and what could
/// not be done. A scratch file's key died with the process, so its ciphertext is unrecoverable;
/// its blocks are still punched out before it is unlinked. A missing directory is reported as
/// already gone.
ShredReport completeAbandonedSession(const std::string& sessionDirectory);

} // namespace vmm
