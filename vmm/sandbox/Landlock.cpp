#include "Landlock.h"

#include "sys/UniqueFd.h"

#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <unistd.h>

#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

namespace vmm {

namespace {

// Access rights by the ABI version that introduced them (the installed uapi header may be older
// than the running kernel, so the later bits are spelled out here).
constexpr uint64_t kAbi1Rights = (1ull << 13) - 1; // EXECUTE .. MAKE_SYM
constexpr uint64_t kRefer = 1ull << 13; // ABI 2
constexpr uint64_t kTruncate = 1ull << 14; // ABI 3
constexpr uint64_t kIoctlDevice = 1ull << 15; // ABI 5

// The rights Landlock accepts on a rule for a file that is not a directory.
constexpr uint64_t kFileRights = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
    LANDLOCK_ACCESS_FS_READ_FILE | kTruncate | kIoctlDevice;

constexpr uint64_t kReadRights = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
constexpr uint64_t kWriteRights = kReadRights | LANDLOCK_ACCESS_FS_WRITE_FILE |
    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |
    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | kTruncate;

// struct landlock_path_beneath_attr is packed in the uapi header; spelled out so its layout does
// not depend on the header's version.
struct [[gnu::packed]] PathBeneath {
    uint64_t allowedAccess;
    int32_t parentFd;
};
static_assert(sizeof(PathBeneath) == 12);

uint64_t handledRights(int version)
{
    uint64_t rights = kAbi1Rights;
    if (version >= 2)
        rights |= kRefer;
    if (version >= 3)
        rights |= kTruncate;
    if (version >= 5)
        rights |= kIoctlDevice;
    return rights;
}

Result<void> addPath(int ruleset, const std::string& path, uint64_t rights, uint64_t handled)
{
    int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0)
        return failure(Error::fromErrno("open", errno, "Landlock rule for " + path));
    UniqueFd file(fd);
    struct stat status { };
    if (::fstat(fd, &status) < 0)
        return failure(Error::fromErrno("fstat", errno, path));
    if (!S_ISDIR(status.st_mode))
        rights &= kFileRights;
    PathBeneath rule {rights & handled, fd};
    // Safety: the kernel reads sizeof(landlock_path_beneath_attr) == 12 bytes of `rule`.
    if (::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
        return failure(Error::fromErrno("landlock_add_rule", errno, path));
    return {};
}

} // namespace

int landlockAbiVersion()
{
    long version =
        ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return version > 0 ? static_cast<int>(version) : 0;
}

Result<bool> restrictFileAccess(std::span<const std::string> readOnly,
    std::span<const std::string> readWrite, std::span<const std::string> removable)
{
    int version = landlockAbiVersion();
    if (version == 0)
        return false;
    uint64_t handled = handledRights(version);
    // The first two fields of struct landlock_ruleset_attr (handled_access_fs, then _net in ABI 4);
    // passing only the first keeps to what every version accepts.
    uint64_t attribute = handled;
    long ruleset = ::syscall(SYS_landlock_create_ruleset, &attribute, sizeof attribute, 0);
    if (ruleset < 0)
        return failure(Error::fromErrno("landlock_create_ruleset", errno));
    UniqueFd rulesetFd(static_cast<int>(ruleset));
    for (const std::string& path : readOnly)
        VMM_TRY(addPath(rulesetFd.get(), path, kReadRights, handled));
    for (const std::string& path : readWrite)
        VMM_TRY(addPath(rulesetFd.get(), path, kWriteRights, handled));
    for (const std::string& path : removable) {
        auto slash = path.find_last_of('/', path.size() > 1 ? path.size() - 2 : 0);
        std::string parent = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
        VMM_TRY(addPath(rulesetFd.get(), parent, LANDLOCK_ACCESS_FS_REMOVE_DIR, handled));
    }
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return failure(Error::fromErrno("prctl(PR_SET_NO_NEW_PRIVS)", errno));
    if (::syscall(SYS_landlock_restrict_self, rulesetFd.get(), 0) < 0)
        return failure(Error::fromErrno("landlock_restrict_self", errno));
    return true;
}

} // namespace vmm
