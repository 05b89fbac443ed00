#pragma once

#include "protocol/OutboxMessages.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <functional>
#include <string>

namespace vmm::guest {

/// Read-only access to the outbox (/outbox in the guest) for the agent: every path is resolved
/// strictly beneath the root by the kernel (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), no
/// symlink is followed anywhere in it, and only regular files are listed or opened.
class OutboxReader {
public:
    static constexpr size_t kMaxEntries = 100'000;
    static constexpr size_t kMaxDepth = 64;

    explicit OutboxReader(std::string root)
        : m_root(std::move(root))
    {
    }

    /// Calls `onEntry` for every regular file (sorted by path within each folder), with its size,
    /// SHA-256 and mtime. Returns the counts for OutboxListEnd.
    Result<OutboxListEnd> list(
        const std::function<Result<void>(const OutboxEntry&)>& onEntry) const;
    /// Opens `path` (an OutboxPath) for reading; refuses anything but a regular file.
    Result<UniqueFd> openFile(const std::string& path) const;

    /// Opens `path` beneath the directory `directoryFd` with openat2's RESOLVE_BENEATH and
    /// RESOLVE_NO_SYMLINKS.
    static Result<UniqueFd> openBeneath(int directoryFd, const std::string& path, int flags);

private:
    struct Walk;
    Result<void> walk(Walk& walk, int directoryFd, const std::string& prefix, size_t depth) const;

    std::string m_root;
};

} // namespace vmm::guest
