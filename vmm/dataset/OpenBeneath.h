#pragma once

#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <string>

namespace vmm {

/// Opens `relativePath` below the folder `baseFd` without following any symlink on the way or at
/// the end and without leaving that folder (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS; on a
/// kernel without openat2, one O_NOFOLLOW openat per component). `flags` gets O_NOFOLLOW and
/// O_CLOEXEC added; use O_RDONLY, optionally with O_DIRECTORY.
Result<UniqueFd> openBeneath(int baseFd, const std::string& relativePath, int flags);

} // namespace vmm
