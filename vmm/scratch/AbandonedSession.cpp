#include "AbandonedSession.h"

#include "sys/UniqueFd.h"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <unistd.h>
#include <vector>

#include <linux/falloc.h>
#include <sys/stat.h>

namespace vmm {

namespace {

// A session directory is shallow; anything deeper than this is left and reported.
constexpr int kMaximumDepth = 8;
// Bounds the work on a directory that something keeps filling.
constexpr size_t kMaximumEntries = 100000;

std::string errnoText(int error)
{
    return std::strerror(error);
}

struct DirectoryCloser {
    void operator()(DIR* directory) const { ::closedir(directory); }
};

// The names in the directory open as `fd` (which the listing takes over), "." and ".." left out.
Result<std::vector<std::string>> listNames(UniqueFd fd)
{
    std::unique_ptr<DIR, DirectoryCloser> directory(::fdopendir(fd.get()));
    if (!directory)
        return failure(Error::fromErrno("fdopendir", errno));
    fd.release();
    std::vector<std::string> names;
    errno = 0;
    while (dirent* entry = ::readdir(directory.get())) {
        std::string name = entry->d_name;
        if (name != "." && name != "..")
            names.push_back(std::move(name));
        if (names.size() > kMaximumEntries)
            return failure(Error::invalid("readdir", "more than 100000 entries"));
    }
    if (errno != 0)
        return failure(Error::fromErrno("readdir", errno));
    return names;
}

bool isGone(int directoryFd, const std::string& name)
{
    struct stat status { };
    errno = 0;
    return ::fstatat(directoryFd, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) < 0 &&
        errno == ENOENT;
}

ShredItem removeScratchFile(int directoryFd, const std::string& name, const std::string& path)
{
    ShredItem item = ShredItem::start(
        "scratch file " + path, "crypto-erase (key died with airlock-vmm) + punch hole + unlink");
    item.detail = "airlock-vmm was killed before it could shred: its key existed only in that "
                  "process's memory and died with it, so the remaining ciphertext is unrecoverable";
    std::string problems;
    int fd = ::openat(directoryFd, name.c_str(), O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        problems += "opening it to discard its blocks failed (" + errnoText(errno) + "); ";
    } else {
        UniqueFd file(fd);
        struct stat status { };
        if (::fstat(fd, &status) == 0 && status.st_size > 0 &&
            ::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, status.st_size) < 0 &&
            ::ftruncate(fd, 0) < 0)
            problems += "discarding its blocks failed (" + errnoText(errno) + "); ";
    }
    if (::unlinkat(directoryFd, name.c_str(), 0) < 0)
        problems += "unlink failed (" + errnoText(errno) + "); ";
    bool gone = isGone(directoryFd, name);
    std::string verification = gone ? "stat: no such file (ENOENT)" : "the file still exists";
    if (!problems.empty())
        verification += "; " + problems.substr(0, problems.size() - 2);
    item.finish(gone, verification);
    return item;
}

ShredItem removeEntry(int directoryFd, const std::string& name, const std::string& path,
    const char* kind, const char* method, int flags)
{
    ShredItem item = ShredItem::start(std::string(kind) + " " + path, method);
    int error = ::unlinkat(directoryFd, name.c_str(), flags) < 0 ? errno : 0;
    bool gone = isGone(directoryFd, name);
    std::string verification = gone ? "stat: no such file (ENOENT)" : "it still exists";
    if (error != 0)
        verification +=
            "; " + std::string(flags ? "rmdir" : "unlink") + " failed (" + errnoText(error) + ")";
    item.finish(gone, verification);
    return item;
}

// Removes everything inside the directory open as `directoryFd` (at `path`), depth first.
void removeContents(int directoryFd, const std::string& path, int depth, ShredReport& report)
{
    int listingFd = ::openat(directoryFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (listingFd < 0) {
        ShredItem item = ShredItem::start("contents of " + path, "unlink each entry");
        item.finish(false, "could not list the directory (" + errnoText(errno) + ")");
        report.add(std::move(item));
        return;
    }
    auto names = listNames(UniqueFd(listingFd));
    if (!names) {
        ShredItem item = ShredItem::start("contents of " + path, "unlink each entry");
        item.finish(false, "could not list the directory: " + names.error().message());
        report.add(std::move(item));
        return;
    }
    for (const std::string& name : *names) {
        std::string entryPath = path + "/" + name;
        struct stat status { };
        if (::fstatat(directoryFd, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) < 0)
            continue; // gone since the listing
        if (S_ISDIR(status.st_mode)) {
            int child = ::openat(
                directoryFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (child >= 0 && depth < kMaximumDepth) {
                UniqueFd childFd(child);
                removeContents(childFd.get(), entryPath, depth + 1, report);
            } else if (child >= 0) {
                ::close(child);
            }
            report.add(
                removeEntry(directoryFd, name, entryPath, "directory", "rmdir", AT_REMOVEDIR));
        } else if (S_ISREG(status.st_mode) && name.starts_with(kScratchFilePrefix)) {
            report.add(removeScratchFile(directoryFd, name, entryPath));
        } else if (S_ISSOCK(status.st_mode)) {
            report.add(removeEntry(directoryFd, name, entryPath, "socket", "unlink", 0));
        } else if (S_ISLNK(status.st_mode)) {
            report.add(
                removeEntry(directoryFd, name, entryPath, "symlink", "unlink (not followed)", 0));
        } else {
            report.add(removeEntry(directoryFd, name, entryPath, "file", "unlink", 0));
        }
    }
}

} // namespace

ShredReport completeAbandonedSession(const std::string& sessionDirectory)
{
    ShredReport report;
    int fd = ::open(sessionDirectory.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        ShredItem item = ShredItem::start("session directory " + sessionDirectory, "rmdir");
        if (error == ENOENT)
            item.finish(true, "stat: no such directory (ENOENT): already removed");
        else
            item.finish(false, "could not open it (" + errnoText(error) + "); nothing was removed");
        report.add(std::move(item));
        return report;
    }
    {
        UniqueFd directory(fd);
        removeContents(directory.get(), sessionDirectory, 0, report);
    }
    ShredItem item = ShredItem::start("session directory " + sessionDirectory, "rmdir");
    int error = ::rmdir(sessionDirectory.c_str()) < 0 ? errno : 0;
    struct stat status { };
    errno = 0;
    bool gone = ::lstat(sessionDirectory.c_str(), &status) < 0 && errno == ENOENT;
    std::string verification =
        gone ? "stat: no such directory (ENOENT)" : "the directory still exists";
    if (error != 0)
        verification += "; rmdir failed (" + errnoText(error) + ")";
    item.finish(gone, verification);
    report.add(std::move(item));
    return report;
}

} // namespace vmm
