#include "ErofsImage.h"

#include "ErofsFormat.h"
#include "TreeScanner.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/uio.h>

namespace vmm {

namespace {

using erofs::kBlockSize;

uint64_t roundUpToBlock(uint64_t bytes)
{
    return (bytes + kBlockSize - 1) / kBlockSize * kBlockSize;
}

std::string sizeChange(uint64_t before, uint64_t now)
{
    return "its size was " + std::to_string(before) + " bytes when the dataset was added and is " +
        std::to_string(now) + " now";
}

} // namespace

Result<std::unique_ptr<ErofsImage>> ErofsImage::create(const std::string& hostPath)
{
    auto tree = std::make_shared<ScannedTree>(VMM_TRY(TreeScanner::scan(hostPath)));
    ErofsLayout layout = VMM_TRY(ErofsBuilder::build(*tree));
    return std::unique_ptr<ErofsImage>(new ErofsImage(std::move(tree), std::move(layout)));
}

Result<std::unique_ptr<ErofsImage>> ErofsImage::create(DatasetSource source)
{
    auto tree = std::make_shared<ScannedTree>(VMM_TRY(TreeScanner::scan(std::move(source))));
    ErofsLayout layout = VMM_TRY(ErofsBuilder::build(*tree));
    return std::unique_ptr<ErofsImage>(new ErofsImage(std::move(tree), std::move(layout)));
}

ErofsImage::ErofsImage(std::shared_ptr<const ScannedTree> tree, ErofsLayout layout)
    : m_tree(std::move(tree))
    , m_layout(std::move(layout))
    , m_fds(kOpenFileLimit)
    , m_unusable(m_tree->entries.size(), false)
    , m_reported(m_tree->entries.size(), false)
{
    m_summary.name = m_tree->name;
    m_summary.totalBytes = m_tree->totalBytes;
    m_summary.fileCount = m_tree->fileCount;
    m_summary.folderCount = m_tree->folderCount;
    m_summary.symlinkCount = m_tree->symlinkCount;
    m_summary.skippedCount = m_tree->skippedCount;
    m_summary.skippedExamples = m_tree->skippedExamples;
    m_summary.imageBytes = sizeBytes();
    m_summary.metadataBytes = m_layout.metadata.size();
}

uint64_t ErofsImage::sizeBytes() const
{
    return m_layout.totalBlocks * kBlockSize;
}

Result<void> ErofsImage::read(uint64_t offset, std::span<uint8_t> destination)
{
    uint64_t size = sizeBytes();
    if (offset > size || destination.size() > size - offset)
        return failure(Error::fromErrno("dataset read", EINVAL, "past the end of the image"));

    const uint64_t metadataEnd = m_layout.metadata.size();
    size_t done = 0;
    while (done < destination.size()) {
        uint64_t position = offset + done;
        std::span<uint8_t> rest = destination.subspan(done);
        if (position < metadataEnd) {
            size_t count =
                static_cast<size_t>(std::min<uint64_t>(rest.size(), metadataEnd - position));
            std::copy_n(m_layout.metadata.begin() + static_cast<std::ptrdiff_t>(position), count,
                rest.begin());
            done += count;
            continue;
        }
        const FileExtent* found = fileExtentAt(position);
        if (!found) // cannot happen: files follow the metadata directly
            return failure(Error::invalid("dataset read", "offset maps to no file"));
        const FileExtent& extent = *found;
        uint64_t within = position - extent.firstBlock * kBlockSize;
        uint64_t extentBytes = roundUpToBlock(extent.size);
        size_t count = static_cast<size_t>(std::min<uint64_t>(rest.size(), extentBytes - within));
        VMM_TRY(readFile(extent, within, rest.first(count)));
        done += count;
    }
    return {};
}

const FileExtent* ErofsImage::fileExtentAt(uint64_t position) const
{
    if (position < m_layout.metadata.size() || position >= sizeBytes())
        return nullptr;
    // The file whose run of blocks holds `position`: the last one starting at or before it.
    uint64_t block = position / kBlockSize;
    auto next = std::upper_bound(m_layout.files.begin(), m_layout.files.end(), block,
        [](uint64_t value, const FileExtent& extent) { return value < extent.firstBlock; });
    return next == m_layout.files.begin() ? nullptr : &*std::prev(next);
}

Result<void> ErofsImage::readVectored(uint64_t offset, std::span<const std::span<uint8_t>> buffers)
{
    size_t index = 0;
    while (index < buffers.size()) {
        // The buffers that lie inside one file's bytes go to the kernel in one preadv; the rest
        // (metadata, a file's last block, a file that shrank) through read().
        const FileExtent* extent = fileExtentAt(offset);
        size_t runEnd = index;
        uint64_t runBytes = 0;
        uint64_t fileOffset = extent ? offset - extent->firstBlock * kBlockSize : 0;
        while (extent && runEnd < buffers.size() && runEnd - index < kMaxVectors &&
            fileOffset + runBytes + buffers[runEnd].size() <= extent->size)
            runBytes += buffers[runEnd++].size();
        if (runEnd - index > 1 &&
            readFileVectored(
                *extent, fileOffset, buffers.subspan(index, runEnd - index), runBytes)) {
            offset += runBytes;
            index = runEnd;
            continue;
        }
        VMM_TRY(read(offset, buffers[index]));
        offset += buffers[index].size();
        ++index;
    }
    return {};
}

bool ErofsImage::readFileVectored(const FileExtent& extent, uint64_t fileOffset,
    std::span<const std::span<uint8_t>> buffers, uint64_t totalBytes)
{
    auto fd = fileDescriptor(extent.entry);
    if (!fd || *fd < 0)
        return false;
    std::array<iovec, kMaxVectors> vectors {};
    for (size_t index = 0; index < buffers.size(); ++index)
        vectors[index] = {buffers[index].data(), buffers[index].size()};
    ssize_t count = ::preadv(
        *fd, vectors.data(), static_cast<int>(buffers.size()), static_cast<off_t>(fileOffset));
    // Anything short of everything (EINTR, a file that shrank) is redone piece by piece by read(),
    // which knows how to report it.
    return count >= 0 && static_cast<uint64_t>(count) == totalBytes;
}

Result<void> ErofsImage::readFile(
    const FileExtent& extent, uint64_t fileOffset, std::span<uint8_t> out)
{
    // Past the scanned size (the last block's tail) reads as zeros; so does what cannot be read.
    size_t dataBytes = fileOffset >= extent.size
        ? 0
        : static_cast<size_t>(std::min<uint64_t>(out.size(), extent.size - fileOffset));
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(dataBytes), out.end(), uint8_t {0});
    if (dataBytes == 0)
        return {};
    // The opener failing (the dataset broker stopped) is an I/O error, not a changed file.
    int fd = VMM_TRY(fileDescriptor(extent.entry));
    size_t got = 0;
    while (fd >= 0 && got < dataBytes) {
        ssize_t count =
            ::pread(fd, out.data() + got, dataBytes - got, static_cast<off_t>(fileOffset + got));
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            return failure(Error::fromErrno("pread", errno, m_tree->relativePath(extent.entry)));
        if (count == 0) {
            record(extent.entry, DatasetChange::Kind::Changed,
                "it ended before the " + std::to_string(extent.size) +
                    " bytes it had when the dataset was added");
            break;
        }
        got += static_cast<size_t>(count);
    }
    std::fill(out.begin() + static_cast<std::ptrdiff_t>(got),
        out.begin() + static_cast<std::ptrdiff_t>(dataBytes), uint8_t {0});
    return {};
}

Result<int> ErofsImage::fileDescriptor(uint32_t entry)
{
    if (m_unusable[entry])
        return -1;
    int cached = m_fds.find(entry);
    if (cached >= 0)
        return cached;

    const TreeEntry& scanned = m_tree->entries[entry];
    // Beneath the dataset folder and through no symlink, even if the tree changed meanwhile.
    auto opened = m_tree->opener->open(m_tree->relativePath(entry), O_RDONLY);
    if (!opened && opened.error().operation() == kOpenerFailure)
        return failure(opened.error().withContext(m_tree->relativePath(entry)));
    if (!opened) {
        int error = opened.error().errnoValue();
        m_unusable[entry] = true;
        if (error == ENOENT)
            record(entry, DatasetChange::Kind::Vanished, "it is no longer there");
        else if (error == ELOOP || error == EXDEV || error == ENOTDIR)
            record(entry, DatasetChange::Kind::Replaced, "a symbolic link took its place or path");
        else
            record(entry, DatasetChange::Kind::Unreadable, opened.error().message());
        return -1;
    }
    struct stat status { };
    if (::fstat(opened->get(), &status) != 0 || !S_ISREG(status.st_mode) ||
        status.st_dev != scanned.device || status.st_ino != scanned.inode) {
        m_unusable[entry] = true;
        record(entry, DatasetChange::Kind::Replaced, "another file now has its name");
        return -1;
    }
    if (static_cast<uint64_t>(status.st_size) != scanned.size)
        record(entry, DatasetChange::Kind::Changed,
            sizeChange(scanned.size, static_cast<uint64_t>(status.st_size)));
    else if (status.st_mtim.tv_sec != scanned.mtimeSeconds ||
        static_cast<uint32_t>(status.st_mtim.tv_nsec) != scanned.mtimeNanoseconds)
        record(entry, DatasetChange::Kind::Changed, "it was modified after the dataset was added");
    return m_fds.insert(entry, std::move(opened).value());
}

void ErofsImage::record(uint32_t entry, DatasetChange::Kind kind, std::string detail)
{
    if (m_reported[entry])
        return;
    m_reported[entry] = true;
    std::lock_guard lock(m_changesMutex);
    m_changes.push_back({m_tree->relativePath(entry), kind, std::move(detail)});
}

std::vector<DatasetChange> ErofsImage::changes() const
{
    std::lock_guard lock(m_changesMutex);
    return m_changes;
}

Result<void> ErofsImage::write(uint64_t, std::span<const uint8_t>)
{
    return failure(Error::fromErrno("dataset write", EROFS, "datasets are read-only"));
}

} // namespace vmm
