#include "StorageMounts.h"

#include "Console.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <unistd.h>

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char** environ;

namespace vmm::guest {

namespace {

constexpr const char* kDatasetsFolder = "/datasets";
constexpr unsigned long kDatasetFlags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
constexpr unsigned long kScratchFlags = MS_NOSUID | MS_NODEV;
constexpr const char* kMke2fs = "/sbin/mke2fs";
// ext2/3/4 superblock (at byte 1024): s_magic at offset 0x38, little-endian 0xEF53.
constexpr size_t kSuperblockOffset = 1024;
constexpr size_t kMagicOffset = 0x38;

Result<void> makeDirectory(const std::string& path)
{
    if (::mkdir(path.c_str(), 0755) < 0 && errno != EEXIST)
        return failure(Error::fromErrno("mkdir", errno, path));
    return {};
}

Result<void> mountOne(const std::string& source, const std::string& target, const char* type,
    unsigned long flags, const char* options = nullptr)
{
    VMM_TRY(makeDirectory(target));
    if (::mount(source.c_str(), target.c_str(), type, flags, options) < 0)
        return failure(Error::fromErrno("mount", errno, source + " on " + target));
    return {};
}

// A bind mount takes its flags only from a remount of the bind.
Result<void> bind(const std::string& source, const std::string& target)
{
    VMM_TRY(makeDirectory(source));
    VMM_TRY(mountOne(source, target, nullptr, MS_BIND));
    if (::mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | kScratchFlags, nullptr) <
        0)
        return failure(Error::fromErrno("mount", errno, "remount " + target + " nosuid,nodev"));
    return {};
}

Result<std::string> readSuperblock(const std::string& devicePath)
{
    int fd = ::open(devicePath.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return failure(Error::fromErrno("open", errno, devicePath));
    std::string block(kMagicOffset + 2, '\0');
    ssize_t got = ::pread(fd, block.data(), block.size(), kSuperblockOffset);
    int error = errno;
    ::close(fd);
    if (got < 0)
        return failure(Error::fromErrno("read", error, devicePath));
    block.resize(static_cast<size_t>(got));
    return block;
}

} // namespace

bool StorageMounts::isExtSuperblock(std::string_view superblock)
{
    return superblock.size() >= kMagicOffset + 2 &&
        static_cast<unsigned char>(superblock[kMagicOffset]) == 0x53 &&
        static_cast<unsigned char>(superblock[kMagicOffset + 1]) == 0xef;
}

Result<void> StorageMounts::format(const std::string& devicePath)
{
    // -F: it is a whole disk, not a partition; -m 0: no blocks reserved for root, who is the
    // only user. busybox mke2fs makes ext2, which the kernel's ext4 driver mounts.
    std::array<const char*, 7> argv {"mke2fs", "-F", "-m", "0", "-L", "airlock-scratch", nullptr};
    std::array<char*, 8> arguments {};
    for (size_t i = 0; i + 1 < argv.size(); ++i)
        arguments[i] = const_cast<char*>(argv[i]); // Safety: exec copies, never writes
    arguments[argv.size() - 1] = const_cast<char*>(devicePath.c_str());
    arguments[argv.size()] = nullptr;

    // Its report goes nowhere: the console belongs to the session; errors still reach stderr.
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attributes;
    ::posix_spawnattr_init(&attributes);
    sigset_t none;
    ::sigemptyset(&none);
    ::posix_spawnattr_setsigmask(&attributes, &none);
    ::posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
    pid_t pid = 0;
    int error = ::posix_spawn(&pid, kMke2fs, &actions, &attributes, arguments.data(), environ);
    ::posix_spawnattr_destroy(&attributes);
    ::posix_spawn_file_actions_destroy(&actions);
    if (error != 0)
        return failure(Error::fromErrno("spawn", error, kMke2fs));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return failure(Error::fromErrno("waitpid", errno, kMke2fs));
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return failure(Error::invalid("format", "mke2fs " + devicePath + " failed"));
    return {};
}

Result<void> StorageMounts::mountScratch(const std::string& device)
{
    std::string devicePath = "/dev/" + device;
    std::string superblock = VMM_TRY(readSuperblock(devicePath));
    if (!isExtSuperblock(superblock)) {
        Console::say("formatting the scratch disk " + device);
        VMM_TRY(format(devicePath));
    }
    VMM_TRY(mountOne(devicePath, "/scratch", "ext4", kScratchFlags));
    VMM_TRY(bind("/scratch/work", "/work"));
    VMM_TRY(bind("/scratch/outbox", "/outbox"));
    return {};
}

Result<std::string> StorageMounts::mountDataset(const std::string& device, const std::string& name)
{
    VMM_TRY(makeDirectory(kDatasetsFolder));
    std::string target = std::string(kDatasetsFolder) + "/" + name;
    struct stat parent { };
    struct stat existing { };
    if (::stat(kDatasetsFolder, &parent) < 0)
        return failure(Error::fromErrno("stat", errno, kDatasetsFolder));
    bool made = false;
    if (::lstat(target.c_str(), &existing) == 0) {
        // Another filesystem there: a dataset of that name is mounted already.
        if (!S_ISDIR(existing.st_mode) || existing.st_dev != parent.st_dev)
            return failure(Error::invalid("mount", target + " is in use already"));
    } else {
        VMM_TRY(makeDirectory(target));
        made = true;
    }
    auto mounted = mountOne("/dev/" + device, target, "erofs", kDatasetFlags);
    if (!mounted) {
        if (made)
            ::rmdir(target.c_str());
        return failure(mounted.error().withContext("dataset \"" + name + "\""));
    }
    return target;
}

Result<void> StorageMounts::mountAll(const StoragePlan& plan)
{
    for (const StoragePlan::Dataset& dataset : plan.datasets)
        VMM_TRY(mountDataset(dataset.device, dataset.name));
    if (plan.scratchDevice) {
        if (auto mounted = mountScratch(*plan.scratchDevice); !mounted)
            return failure(mounted.error().withContext("scratch disk"));
    }
    return {};
}

std::string StorageMounts::unescapeMountPath(std::string_view escaped)
{
    auto isOctal = [](char c) {
        return c >= '0' && c <= '7';
    };
    std::string path;
    for (size_t i = 0; i < escaped.size(); ++i) {
        if (escaped[i] == '\\' && i + 3 < escaped.size() && isOctal(escaped[i + 1]) &&
            isOctal(escaped[i + 2]) && isOctal(escaped[i + 3])) {
            path += static_cast<char>(
                (escaped[i + 1] - '0') * 64 + (escaped[i + 2] - '0') * 8 + (escaped[i + 3] - '0'));
            i += 3;
            continue;
        }
        path += escaped[i];
    }
    return path;
}

std::vector<Error> StorageMounts::unmountAll()
{
    std::vector<std::string> targets;
    std::ifstream mounts("/proc/self/mounts");
    std::string line;
    while (std::getline(mounts, line)) {
        std::istringstream fields(line);
        std::string source;
        std::string target;
        fields >> source >> target;
        std::string path = unescapeMountPath(target);
        if (path == "/work" || path == "/outbox" || path == "/scratch" ||
            path.rfind("/datasets/", 0) == 0)
            targets.push_back(path);
    }
    std::vector<Error> failures;
    for (auto target = targets.rbegin(); target != targets.rend(); ++target) {
        if (::umount2(target->c_str(), 0) < 0)
            failures.push_back(Error::fromErrno("umount", errno, *target));
    }
    return failures;
}

} // namespace vmm::guest
