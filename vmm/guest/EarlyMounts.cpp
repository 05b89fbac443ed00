#include "EarlyMounts.h"

#include "sys/Result.h"

#include <array>
#include <cerrno>
#include <string>

#include <sys/mount.h>
#include <sys/stat.h>

namespace vmm::guest {

namespace {

struct MountPoint {
    const char* target;
    const char* type;
    unsigned long flags;
    const char* options;
};

// Order matters: /dev/pts and /dev/shm live on the devtmpfs mounted just before them.
// ptmxmode=0666 lets any user open /dev/pts/ptmx (devtmpfs's /dev/ptmx follows /dev/pts).
constexpr std::array kMountPoints {
    MountPoint {"/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
    MountPoint {"/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
    MountPoint {"/dev", "devtmpfs", MS_NOSUID, "mode=0755"},
    MountPoint {"/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "mode=0620,ptmxmode=0666"},
    MountPoint {"/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"},
    MountPoint {"/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777"},
    MountPoint {"/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"},
};

Result<void> mountOne(const MountPoint& point)
{
    // The initramfs ships the top-level directories; those inside /dev appear only with devtmpfs.
    if (::mkdir(point.target, 0755) < 0 && errno != EEXIST)
        return failure(Error::fromErrno("mkdir", errno, point.target));
    if (::mount(point.type, point.target, point.type, point.flags, point.options) < 0)
        return failure(
            Error::fromErrno("mount", errno, std::string(point.type) + " on " + point.target));
    return {};
}

} // namespace

std::vector<Error> EarlyMounts::mountAll()
{
    std::vector<Error> failures;
    for (const MountPoint& point : kMountPoints) {
        if (auto mounted = mountOne(point); !mounted)
            failures.push_back(mounted.error());
    }
    return failures;
}

} // namespace vmm::guest
