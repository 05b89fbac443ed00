#include "EncryptedScratch.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>

namespace vmm {

namespace {

constexpr uint64_t kSector = BlockBackend::kSectorSize;
static_assert(BlockBackend::kSectorSize == SectorCipher::kSectorSize);
static_assert(EncryptedScratch::kChunkSize % BlockBackend::kSectorSize == 0);

// Larger disks are refused: the written-sector bitmap (reserved, not committed) would pass 256 MiB.
constexpr uint64_t kMaximumSize = 1ull << 40;

std::string sectorText(uint64_t sector)
{
    return "sector " + std::to_string(sector);
}

} // namespace

EncryptedScratch::EncryptedScratch(
    std::string path, UniqueFd fd, uint64_t sizeBytes, SectorCipher cipher, MappedRegion written)
    : m_path(std::move(path))
    , m_fd(std::move(fd))
    , m_sizeBytes(sizeBytes)
    , m_cipher(std::move(cipher))
    , m_written(std::move(written))
    , m_chunk(kChunkSize, 0)
{
}

Result<std::unique_ptr<EncryptedScratch>> EncryptedScratch::create(
    const std::string& path, uint64_t sizeBytes)
{
    if (sizeBytes == 0 || sizeBytes % kSector)
        return failure(
            Error::invalid("scratch disk", "size must be a non-zero multiple of 512 bytes"));
    if (sizeBytes > kMaximumSize)
        return failure(Error::invalid("scratch disk", "size must be at most 1 TiB"));
    // The key and the bitmap first: without them nothing can be written, so no file is left.
    SectorCipher cipher = VMM_TRY(SectorCipher::create());
    size_t bitmapBytes = static_cast<size_t>((sizeBytes / kSector + 63) / 64 * 8);
    MappedRegion written = VMM_TRY(MappedRegion::map(
        bitmapBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1));
    // O_EXCL: never reuse (or follow a symlink to) a file that already exists.
    int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        return failure(Error::fromErrno("open", errno, "creating scratch file " + path));
    UniqueFd file(fd);
    if (::ftruncate(fd, static_cast<off_t>(sizeBytes)) < 0) {
        int error = errno;
        ::unlink(path.c_str());
        return failure(Error::fromErrno("ftruncate", error, "sizing scratch file " + path));
    }
    return std::unique_ptr<EncryptedScratch>(new EncryptedScratch(
        path, std::move(file), sizeBytes, std::move(cipher), std::move(written)));
}

EncryptedScratch::~EncryptedScratch()
{
    // A scratch disk never outlives its owner: whatever path led here, the key goes and the
    // file goes. The report is lost; callers that need it call shred() themselves.
    shred();
}

Result<void> EncryptedScratch::checkRequest(
    const char* operation, uint64_t offset, size_t length) const
{
    if (m_shredded)
        return failure(Error::fromErrno(operation, EIO, "the scratch disk was shredded"));
    uint64_t end = 0;
    if (offset % kSector || length % kSector)
        return failure(Error::fromErrno(operation, EINVAL, "scratch requests are whole sectors"));
    if (__builtin_add_overflow(offset, static_cast<uint64_t>(length), &end) || end > m_sizeBytes)
        return failure(
            Error::fromErrno(operation, EINVAL, "request past the end of the scratch disk"));
    return {};
}

bool EncryptedScratch::isWritten(uint64_t sector) const
{
    return (m_written.data()[sector / 8] & (1u << (sector % 8))) != 0;
}

void EncryptedScratch::markWritten(uint64_t sector)
{
    m_written.data()[sector / 8] |= static_cast<uint8_t>(1u << (sector % 8));
}

Result<void> EncryptedScratch::read(uint64_t offset, std::span<uint8_t> destination)
{
    VMM_TRY(checkRequest("scratch read", offset, destination.size()));
    for (size_t done = 0; done < destination.size(); done += kChunkSize) {
        size_t length = std::min(kChunkSize, destination.size() - done);
        VMM_TRY(readChunk((offset + done) / kSector, destination.subspan(done, length)));
    }
    return {};
}

Result<void> EncryptedScratch::readChunk(uint64_t firstSector, std::span<uint8_t> destination)
{
    size_t sectors = destination.size() / kSector;
    bool anyWritten = false;
    for (size_t i = 0; i < sectors && !anyWritten; ++i)
        anyWritten = isWritten(firstSector + i);
    if (anyWritten) {
        size_t done = 0;
        off_t position = static_cast<off_t>(firstSector * kSector);
        while (done < destination.size()) {
            ssize_t count = ::pread(m_fd.get(), m_chunk.data() + done, destination.size() - done,
                position + static_cast<off_t>(done));
            if (count < 0 && errno == EINTR)
                continue;
            if (count < 0)
                return failure(Error::fromErrno("pread", errno, "scratch file " + m_path));
            if (count == 0)
                return failure(Error::fromErrno(
                    "pread", EIO, "scratch file " + m_path + " is shorter than the disk"));
            done += static_cast<size_t>(count);
        }
    }
    for (size_t i = 0; i < sectors; ++i) {
        std::span<uint8_t> plaintext = destination.subspan(i * kSector, kSector);
        // A sector never written is a hole in the file, which would decrypt to noise.
        if (!isWritten(firstSector + i)) {
            std::memset(plaintext.data(), 0, kSector);
            continue;
        }
        std::span<const uint8_t> ciphertext(m_chunk.data() + i * kSector, kSector);
        VMM_TRY(m_cipher.decryptSector(firstSector + i, ciphertext, plaintext));
    }
    return {};
}

Result<void> EncryptedScratch::write(uint64_t offset, std::span<const uint8_t> source)
{
    VMM_TRY(checkRequest("scratch write", offset, source.size()));
    for (size_t done = 0; done < source.size(); done += kChunkSize) {
        size_t length = std::min(kChunkSize, source.size() - done);
        VMM_TRY(writeChunk((offset + done) / kSector, source.subspan(done, length)));
    }
    return {};
}

Result<void> EncryptedScratch::writeChunk(uint64_t firstSector, std::span<const uint8_t> source)
{
    std::span<uint8_t> ciphertext(m_chunk.data(), source.size());
    VMM_TRY(m_cipher.encrypt(firstSector, source, ciphertext));
    size_t done = 0;
    off_t position = static_cast<off_t>(firstSector * kSector);
    while (done < ciphertext.size()) {
        ssize_t count = ::pwrite(m_fd.get(), ciphertext.data() + done, ciphertext.size() - done,
            position + static_cast<off_t>(done));
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0 && (errno == ENOSPC || errno == EDQUOT)) {
            int error = errno;
            return failure(Error::fromErrno("pwrite", error,
                "the host disk is full: cannot store scratch " +
                    sectorText(firstSector + done / kSector) + " in " + m_path));
        }
        if (count <= 0)
            return failure(
                Error::fromErrno("pwrite", count < 0 ? errno : EIO, "scratch file " + m_path));
        done += static_cast<size_t>(count);
    }
    // Only now that the ciphertext is in the file may the sectors read back as data.
    for (size_t i = 0; i < source.size() / kSector; ++i)
        markWritten(firstSector + i);
    return {};
}

Result<void> EncryptedScratch::flush()
{
    if (m_shredded)
        return failure(Error::fromErrno("scratch flush", EIO, "the scratch disk was shredded"));
    if (::fdatasync(m_fd.get()) < 0)
        return failure(Error::fromErrno("fdatasync", errno, "scratch file " + m_path));
    return {};
}

std::vector<ShredItem> EncryptedScratch::shred()
{
    if (m_shredded)
        return {};
    m_shredded = true;
    std::vector<ShredItem> items;

    ShredItem key = ShredItem::start("scratch key (64-byte AES-256-XTS key)",
        "key wiped with OPENSSL_cleanse; OpenSSL cipher contexts freed (OpenSSL cleanses their "
        "key schedules)");
    m_cipher.destroy();
    bool wiped = m_cipher.isKeyWiped();
    key.detail = m_cipher.isKeyLocked()
        ? "the key lived only in locked memory excluded from core dumps"
        : "the key lived in memory excluded from core dumps; RLIMIT_MEMLOCK did not allow locking "
          "it";
    key.finish(wiped,
        wiped ? "every byte of the key's pages read back as zero"
              : "the key's pages did NOT read back as zero");
    items.push_back(std::move(key));

    items.push_back(shredFile());
    m_written.reset(); // which sectors were written is of no further use to anyone

    return items;
}

ShredItem EncryptedScratch::shredFile()
{
    ShredItem item = ShredItem::start(
        "scratch file " + m_path, "crypto-erase (key destroyed) + punch hole + unlink");
    std::string problems;
    struct stat before { };
    bool haveIdentity = ::fstat(m_fd.get(), &before) == 0;
    if (haveIdentity)
        item.detail = std::to_string(static_cast<uint64_t>(before.st_blocks) * 512) +
            " bytes of ciphertext were allocated on the host disk";
    // Hand the blocks back to the filesystem so not even ciphertext stays in the file; where the
    // filesystem cannot punch holes, truncating to zero does the same.
    if (::fallocate(m_fd.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
            static_cast<off_t>(m_sizeBytes)) < 0) {
        if (::ftruncate(m_fd.get(), 0) < 0)
            problems +=
                std::string("discarding the blocks failed (") + std::strerror(errno) + "); ";
        else
            item.method = "crypto-erase (key destroyed) + truncate + unlink";
    }
    m_fd.reset();

    // Unlink only the file this object created: if the path now names another file, leave it.
    struct stat current { };
    if (::lstat(m_path.c_str(), &current) < 0) {
        problems +=
            std::string("the file had already been removed (") + std::strerror(errno) + "); ";
    } else if (haveIdentity &&
        (current.st_dev != before.st_dev || current.st_ino != before.st_ino)) {
        item.finish(false, "not unlinked: " + m_path + " now names a different file");
        return item;
    } else if (::unlink(m_path.c_str()) < 0) {
        problems += std::string("unlink failed (") + std::strerror(errno) + "); ";
    }

    errno = 0;
    bool gone = ::lstat(m_path.c_str(), &current) < 0 && errno == ENOENT;
    std::string verification = gone ? "stat: no such file (ENOENT)" : "the file still exists";
    if (!problems.empty())
        verification += "; " + problems.substr(0, problems.size() - 2);
    item.finish(gone, verification);
    return item;
}

} // namespace vmm
