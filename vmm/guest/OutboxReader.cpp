#include "OutboxReader.h"

#include "protocol/Sha256.h"
#include "protocol/Utf8.h"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

namespace vmm::guest {

namespace {

constexpr size_t kHashChunk = 256 * 1024;

// The names in a directory, sorted; "." and ".." left out.
Result<std::vector<std::string>> namesIn(int directoryFd)
{
    int copy = ::fcntl(directoryFd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0)
        return failure(Error::fromErrno("dup", errno));
    DIR* directory = ::fdopendir(copy);
    if (directory == nullptr) {
        ::close(copy);
        return failure(Error::fromErrno("fdopendir", errno));
    }
    std::vector<std::string> names;
    while (dirent* entry = ::readdir(directory)) {
        std::string name = entry->d_name;
        if (name != "." && name != "..")
            names.push_back(std::move(name));
    }
    ::closedir(directory);
    std::sort(names.begin(), names.end());
    return names;
}

Result<std::string> hashFile(int fd)
{
    Sha256 hash;
    std::vector<uint8_t> buffer(kHashChunk);
    for (;;) {
        ssize_t got = ::read(fd, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return failure(Error::fromErrno("read", errno));
        if (got == 0)
            return hash.finishHex();
        hash.update(std::span(buffer).first(static_cast<size_t>(got)));
    }
}

} // namespace

struct OutboxReader::Walk {
    const std::function<Result<void>(const OutboxEntry&)>& onEntry;
    OutboxListEnd counts;
};

Result<UniqueFd> OutboxReader::openBeneath(int directoryFd, const std::string& path, int flags)
{
    open_how how {};
    how.flags = static_cast<unsigned>(flags | O_CLOEXEC | O_NOFOLLOW);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    long fd = ::syscall(SYS_openat2, directoryFd, path.c_str(), &how, sizeof how);
    if (fd < 0)
        return failure(Error::fromErrno("openat2", errno, path));
    return UniqueFd(static_cast<int>(fd));
}

Result<UniqueFd> OutboxReader::openFile(const std::string& path) const
{
    VMM_TRY(OutboxPath::validate(path));
    UniqueFd root = VMM_TRY(UniqueFd::open(m_root.c_str(), O_RDONLY | O_DIRECTORY));
    UniqueFd file = VMM_TRY(openBeneath(root.get(), path, O_RDONLY | O_NONBLOCK));
    struct stat status { };
    if (::fstat(file.get(), &status) < 0)
        return failure(Error::fromErrno("fstat", errno, path));
    if (!S_ISREG(status.st_mode))
        return failure(Error::invalid("outbox", path + " is not a regular file"));
    return file;
}

Result<OutboxListEnd> OutboxReader::list(
    const std::function<Result<void>(const OutboxEntry&)>& onEntry) const
{
    UniqueFd root = VMM_TRY(UniqueFd::open(m_root.c_str(), O_RDONLY | O_DIRECTORY));
    Walk state {onEntry, {}};
    VMM_TRY(walk(state, root.get(), "", 0));
    return state.counts;
}

Result<void> OutboxReader::walk(
    Walk& state, int directoryFd, const std::string& prefix, size_t depth) const
{
    std::vector<std::string> names = VMM_TRY(namesIn(directoryFd));
    for (const std::string& name : names) {
        std::string path = prefix + name;
        struct stat status { };
        bool usable = Utf8::isValid(name) && path.size() <= OutboxPath::kMaxBytes &&
            ::fstatat(directoryFd, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) == 0;
        if (usable && S_ISDIR(status.st_mode) && depth + 1 < kMaxDepth) {
            auto child = openBeneath(directoryFd, name, O_RDONLY | O_DIRECTORY);
            if (child) {
                VMM_TRY(walk(state, child->get(), path + "/", depth + 1));
                continue;
            }
        } else if (usable && S_ISREG(status.st_mode) && state.counts.count < kMaxEntries) {
            // Opened, then checked again on the fd: the name may have changed in between.
            auto file = openBeneath(directoryFd, name, O_RDONLY | O_NONBLOCK);
            struct stat opened { };
            if (file && ::fstat(file->get(), &opened) == 0 && S_ISREG(opened.st_mode)) {
                if (auto digest = hashFile(file->get())) {
                    int64_t mtimeNs =
                        int64_t {opened.st_mtim.tv_sec} * 1'000'000'000 + opened.st_mtim.tv_nsec;
                    VMM_TRY(state.onEntry(OutboxEntry {
                        path, static_cast<uint64_t>(opened.st_size), *digest, mtimeNs}));
                    ++state.counts.count;
                    continue;
                }
            }
        }
        ++state.counts.skipped; // symlinks, devices, sockets, unreadable, over the caps
    }
    return {};
}

} // namespace vmm::guest
