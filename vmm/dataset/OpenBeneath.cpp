#include "OpenBeneath.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include <linux/openat2.h>
#include <sys/syscall.h>

namespace vmm {

namespace {

// Component by component: every intermediate is opened O_DIRECTORY | O_NOFOLLOW from the previous
// one, so neither a symlink nor ".." can lead out of the base folder.
Result<UniqueFd> openByComponents(int baseFd, const std::string& relativePath, int flags)
{
    UniqueFd current;
    int parent = baseFd;
    size_t start = 0;
    while (true) {
        size_t slash = relativePath.find('/', start);
        std::string component = relativePath.substr(start, slash - start);
        if (component.empty() || component == "." || component == "..")
            return failure(Error::fromErrno("openat", EXDEV, relativePath));
        bool last = slash == std::string::npos;
        int componentFlags = last ? flags : O_RDONLY | O_DIRECTORY;
        int fd = ::openat(parent, component.c_str(), componentFlags | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            return failure(Error::fromErrno("openat", errno, relativePath));
        current = UniqueFd(fd);
        if (last)
            return current;
        parent = current.get();
        start = slash + 1;
    }
}

} // namespace

Result<UniqueFd> openBeneath(int baseFd, const std::string& relativePath, int flags)
{
    open_how how {};
    how.flags = static_cast<unsigned>(flags | O_NOFOLLOW | O_CLOEXEC);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    // EAGAIN: a rename raced with the lookup; the kernel asks for a retry. Bounded.
    for (int attempt = 0;; ++attempt) {
        // Safety: `how` outlives the call and its size is passed with it.
        long fd = ::syscall(SYS_openat2, baseFd, relativePath.c_str(), &how, sizeof how);
        if (fd >= 0)
            return UniqueFd(static_cast<int>(fd));
        if ((errno == EINTR || errno == EAGAIN) && attempt < 16)
            continue;
        if (errno == ENOSYS)
            return openByComponents(baseFd, relativePath, flags);
        return failure(Error::fromErrno("openat2", errno, relativePath));
    }
}

} // namespace vmm
