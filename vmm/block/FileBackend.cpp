#include "FileBackend.h"

#include <cerrno>
#include <fcntl.h>
#include <limits>
#include <unistd.h>

#include <sys/stat.h>

namespace vmm {

FileBackend::FileBackend(UniqueFd fd, uint64_t sizeBytes, bool readOnly)
    : m_fd(std::move(fd))
    , m_sizeBytes(sizeBytes)
    , m_readOnly(readOnly)
{
}

Result<std::unique_ptr<FileBackend>> FileBackend::open(const std::string& path, bool readOnly)
{
    auto fd = UniqueFd::open(path.c_str(), readOnly ? O_RDONLY : O_RDWR);
    if (!fd)
        return failure(fd.error().withContext("opening disk " + path));
    struct stat status { };
    if (::fstat(fd->get(), &status) < 0)
        return failure(Error::fromErrno("fstat", errno, path));
    if (!S_ISREG(status.st_mode))
        return failure(Error::invalid("opening disk", path + " is not a regular file"));
    uint64_t size = static_cast<uint64_t>(status.st_size) / kSectorSize * kSectorSize;
    return std::unique_ptr<FileBackend>(new FileBackend(std::move(*fd), size, readOnly));
}

Result<void> FileBackend::checkRange(uint64_t offset, uint64_t length, const char* operation) const
{
    uint64_t end = 0;
    if (offset % kSectorSize || length % kSectorSize ||
        __builtin_add_overflow(offset, length, &end) || end > m_sizeBytes ||
        end > static_cast<uint64_t>(std::numeric_limits<off_t>::max()))
        return failure(Error::invalid(operation, "range outside the disk or not whole sectors"));
    return {};
}

Result<void> FileBackend::read(uint64_t offset, std::span<uint8_t> destination)
{
    VMM_TRY(checkRange(offset, destination.size(), "disk read"));
    size_t done = 0;
    while (done < destination.size()) {
        ssize_t count = ::pread(m_fd.get(), destination.data() + done, destination.size() - done,
            static_cast<off_t>(offset + done));
        if (count < 0) {
            if (errno == EINTR)
                continue;
            return failure(Error::fromErrno("pread", errno));
        }
        if (count == 0) // the file shrank under us: a disk never has holes past its end
            return failure(Error::invalid("pread", "disk file is shorter than its capacity"));
        done += static_cast<size_t>(count);
    }
    return {};
}

Result<void> FileBackend::write(uint64_t offset, std::span<const uint8_t> source)
{
    if (m_readOnly)
        return failure(Error::fromErrno("disk write", EROFS));
    VMM_TRY(checkRange(offset, source.size(), "disk write"));
    size_t done = 0;
    while (done < source.size()) {
        ssize_t count = ::pwrite(m_fd.get(), source.data() + done, source.size() - done,
            static_cast<off_t>(offset + done));
        if (count < 0) {
            if (errno == EINTR)
                continue;
            return failure(Error::fromErrno("pwrite", errno));
        }
        if (count == 0)
            return failure(Error::fromErrno("pwrite", ENOSPC));
        done += static_cast<size_t>(count);
    }
    return {};
}

Result<void> FileBackend::flush()
{
    while (::fdatasync(m_fd.get()) < 0) {
        if (errno != EINTR)
            return failure(Error::fromErrno("fdatasync", errno));
    }
    return {};
}

} // namespace vmm
