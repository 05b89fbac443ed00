#include "ProcessHardening.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <dirent.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <sys/prctl.h>
#include <sys/resource.h>

namespace vmm {

namespace {

// Without close_range (kernels before 5.9): every descriptor /proc/self/fd lists that is not kept.
Result<void> closeListed(const std::vector<int>& keep)
{
    DIR* directory = ::opendir("/proc/self/fd");
    if (!directory)
        return failure(Error::fromErrno("opendir", errno, "/proc/self/fd"));
    int own = ::dirfd(directory);
    std::vector<int> toClose;
    while (dirent* entry = ::readdir(directory)) {
        char* end = nullptr;
        long fd = std::strtol(entry->d_name, &end, 10);
        if (*end != '\0' || end == entry->d_name || fd < 3 || fd > INT_MAX || fd == own)
            continue;
        if (!std::binary_search(keep.begin(), keep.end(), static_cast<int>(fd)))
            toClose.push_back(static_cast<int>(fd));
    }
    ::closedir(directory);
    for (int fd : toClose)
        ::close(fd);
    return {};
}

} // namespace

Result<void> closeInheritedFileDescriptors(std::span<const int> keep)
{
    std::vector<int> kept;
    for (int fd : keep) {
        if (fd > 2)
            kept.push_back(fd);
    }
    std::sort(kept.begin(), kept.end());
    kept.erase(std::unique(kept.begin(), kept.end()), kept.end());

    // Close each gap between kept descriptors: [3, k0), (k0, k1), ..., (kn, ∞).
    unsigned first = 3;
    for (int fd : kept) {
        unsigned next = static_cast<unsigned>(fd);
        if (next > first && ::close_range(first, next - 1, 0) < 0)
            return errno == ENOSYS ? closeListed(kept)
                                   : failure(Error::fromErrno("close_range", errno));
        first = next + 1;
    }
    if (::close_range(first, ~0u, 0) < 0)
        return errno == ENOSYS ? closeListed(kept)
                               : failure(Error::fromErrno("close_range", errno));
    return {};
}

Result<void> setNoNewPrivileges()
{
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return failure(Error::fromErrno("prctl(PR_SET_NO_NEW_PRIVS)", errno));
    return {};
}

Result<void> disableCoreDumps()
{
    rlimit none {0, 0};
    if (::setrlimit(RLIMIT_CORE, &none) < 0)
        return failure(Error::fromErrno("setrlimit(RLIMIT_CORE)", errno));
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return failure(Error::fromErrno("prctl(PR_SET_DUMPABLE)", errno));
    return {};
}

Result<void> hardenProcess(std::span<const int> keep)
{
    VMM_TRY(closeInheritedFileDescriptors(keep));
    VMM_TRY(setNoNewPrivileges());
    VMM_TRY(disableCoreDumps());
    return {};
}

} // namespace vmm
