#include "SessionShred.h"

#include "machine/GuestFramebuffer.h"
#include "machine/Machine.h"
#include "scratch/EncryptedScratch.h"

#include <cerrno>
#include <cstring>
#include <string_view>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vmm {

static std::string mebibytes(uint64_t bytes)
{
    return std::to_string(bytes >> 20) + " MiB";
}

static ShredItem shredGuestMemory(GuestMemory& memory)
{
    ShredItem item = ShredItem::start("guest memory (" + mebibytes(memory.size()) + ")",
        "explicit_bzero of every page the guest touched (found in /proc/self/pagemap), then the "
        "pages released (MADV_DONTNEED) before munmap");
    auto result = memory.shred();
    if (!result) {
        item.finish(false, result.error().message());
        return item;
    }
    item.detail = mebibytes(result->zeroedBytes) + " touched and zeroed; never swapped: "
        + (memory.isLocked() ? "locked in RAM" : "not locked (RLIMIT_MEMLOCK), swapped pages zeroed too")
        + "; excluded from core dumps (MADV_DONTDUMP)";
    bool ok = result->verifiedZero && result->released;
    item.finish(ok, std::string(result->verifiedZero ? "every zeroed page read back as zero" : "a page did NOT read back as zero")
            + (result->released ? "; no page resident afterwards (mincore)" : "; pages still resident afterwards"));
    return item;
}

// The screen showed what the session showed: zeroed like guest RAM.
static ShredItem shredFramebuffer(GuestFramebuffer& framebuffer)
{
    ShredItem item = ShredItem::start("display framebuffer (" + framebuffer.geometry().toString() + ", "
            + std::to_string(framebuffer.slotBytes() >> 10) + " KiB)",
        "every byte zeroed, then read back; excluded from core dumps (MADV_DONTDUMP)");
    bool zero = framebuffer.shred();
    item.finish(zero, zero ? "every byte read back as zero" : "a byte did NOT read back as zero");
    return item;
}

// Sockets airlock-vmm made (the vsock socket) and any other socket left in the directory, then
// the directory itself. Anything else left there is reported, not removed.
static ShredItem removeSessionDirectory(const std::string& directory)
{
    ShredItem item = ShredItem::start("session directory " + directory, "sockets unlinked, then rmdir");
    std::string leftovers;
    if (DIR* folder = ::opendir(directory.c_str())) {
        int directoryFd = ::dirfd(folder);
        while (dirent* entry = ::readdir(folder)) {
            std::string_view name(entry->d_name);
            if (name == "." || name == "..")
                continue;
            struct stat status {};
            if (::fstatat(directoryFd, entry->d_name, &status, AT_SYMLINK_NOFOLLOW) == 0 && S_ISSOCK(status.st_mode)
                && ::unlinkat(directoryFd, entry->d_name, 0) == 0)
                continue;
            leftovers += (leftovers.empty() ? "" : ", ") + std::string(name);
        }
        ::closedir(folder);
    }
    if (::rmdir(directory.c_str()) < 0 && errno != ENOENT) {
        item.finish(false, "rmdir failed: " + std::string(std::strerror(errno))
                + (leftovers.empty() ? "" : "; left in it: " + leftovers));
        return item;
    }
    struct stat status {};
    bool gone = ::lstat(directory.c_str(), &status) < 0 && errno == ENOENT;
    item.finish(gone, gone ? "the directory no longer exists (lstat: ENOENT)" : "the directory still exists");
    return item;
}

ShredReport shredSession(Machine& machine)
{
    ShredReport report;
    if (const auto& scratch = machine.scratch())
        report.add(scratch->shred());
    report.add(shredGuestMemory(machine.memory()));
    if (GuestFramebuffer* framebuffer = machine.framebuffer())
        report.add(shredFramebuffer(*framebuffer));
    if (!machine.sessionDirectory().empty())
        report.add(removeSessionDirectory(machine.sessionDirectory()));
    return report;
}

Result<void> writeShredReport(const ShredReport& report, const std::string& path)
{
    return writeTextFileAtomically(report.toJson() + "\n", path);
}

Result<void> writeTextFileAtomically(const std::string& text, const std::string& path)
{
    std::string temporary = path + ".partial";
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return failure(Error::fromErrno("report", errno, "cannot write '" + temporary + "'"));
    UniqueFd file(fd);
    for (size_t written = 0; written < text.size();) {
        ssize_t count = ::write(fd, text.data() + written, text.size() - written);
        if (count < 0 && errno == EINTR)
            continue;
        if (count <= 0)
            return failure(Error::fromErrno("report", errno, "cannot write '" + temporary + "'"));
        written += static_cast<size_t>(count);
    }
    if (::fsync(fd) < 0 || ::rename(temporary.c_str(), path.c_str()) < 0)
        return failure(Error::fromErrno("report", errno, "cannot store '" + path + "'"));
    return {};
}

void removeEmptySessionDirectory(const std::string& directory)
{
    if (!directory.empty())
        ::rmdir(directory.c_str()); // fails, harmlessly, when it is missing or not empty
}

} // namespace vmm
