#pragma once

// Helpers the dataset tests share: writing a synthesized image to a file through read() (tests
// only: the product never writes one), running erofs-utils, comparing a tree read back with its
// source, and a reader that finds names with the Linux 6.1 kernel's own lookup algorithm
// (fs/erofs/namei.c), which erofs-utils does not use.

#include "dataset/ErofsFormat.h"
#include "dataset/ErofsImage.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include <QProcess>
#include <QString>
#include <QStringList>

namespace datasettest {

namespace fs = std::filesystem;

/// A folder under $TMPDIR (or /tmp) removed with everything in it when this goes out of scope.
/// (QTemporaryDir takes minutes to remove 100,000 files; std::filesystem takes a second.)
class TemporaryFolder {
public:
    TemporaryFolder()
    {
        const char* base = std::getenv("TMPDIR");
        std::string pattern =
            std::string(base && *base ? base : "/tmp") + "/airlock-dataset-XXXXXX";
        if (::mkdtemp(pattern.data()) != nullptr)
            m_path = pattern;
    }
    ~TemporaryFolder()
    {
        std::error_code ignored;
        if (!m_path.empty())
            fs::remove_all(m_path, ignored);
    }
    TemporaryFolder(const TemporaryFolder&) = delete;
    TemporaryFolder& operator=(const TemporaryFolder&) = delete;

    bool isValid() const { return !m_path.empty(); }
    const fs::path& path() const { return m_path; }
    fs::path path(const std::string& name) const { return m_path / name; }
    QString filePath(const std::string& name) const
    {
        return QString::fromStdString(path(name).string());
    }

private:
    fs::path m_path;
};

/// Writes the image to `path` through read() in 1 MiB chunks, leaving all-zero chunks as holes
/// (so a 400 MiB image of 100,000 small files costs little disk). Only [0, limit) is read; the
/// rest stays a hole. Returns an error text, empty on success.
inline QString writeImage(vmm::ErofsImage& image, const QString& path, uint64_t limit = ~0ull)
{
    int fd = ::open(path.toLocal8Bit().constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return QStringLiteral("cannot create %1").arg(path);
    std::vector<uint8_t> chunk(1 << 20);
    uint64_t size = image.sizeBytes();
    uint64_t end = std::min(size, limit);
    QString error;
    for (uint64_t offset = 0; offset < end && error.isEmpty(); offset += chunk.size()) {
        size_t count = static_cast<size_t>(std::min<uint64_t>(chunk.size(), end - offset));
        auto read = image.read(offset, std::span(chunk.data(), count));
        if (!read) {
            error = QString::fromStdString(read.error().message());
            break;
        }
        bool zero = std::all_of(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(count),
            [](uint8_t byte) { return byte == 0; });
        if (!zero &&
            ::pwrite(fd, chunk.data(), count, static_cast<off_t>(offset)) !=
                static_cast<ssize_t>(count))
            error = QStringLiteral("cannot write %1").arg(path);
    }
    if (error.isEmpty() && ::ftruncate(fd, static_cast<off_t>(size)) != 0)
        error = QStringLiteral("cannot size %1").arg(path);
    ::close(fd);
    return error;
}

/// Creates `path` holding `bytes`; false on failure.
inline bool makeFile(const fs::path& path, std::string_view bytes)
{
    std::ofstream stream(path, std::ios::binary | std::ios::trunc);
    stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return static_cast<bool>(stream);
}

/// What a program said and how it ended.
struct ToolRun {
    int exitCode = -1;
    QString output;
};

/// Runs `program` with `arguments` (stdout and stderr together), up to ten minutes.
inline ToolRun runTool(const QString& program, const QStringList& arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    ToolRun run;
    if (!process.waitForStarted() || !process.waitForFinished(600'000)) {
        run.output = QStringLiteral("%1 did not run: %2").arg(program, process.errorString());
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.output = QString::fromLocal8Bit(process.readAll());
    return run;
}

/// The bytes of the file at `path` (empty if it cannot be read).
inline std::string fileBytes(const fs::path& path)
{
    std::string bytes;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bytes;
    char buffer[65536];
    ssize_t count = 0;
    while ((count = ::read(fd, buffer, sizeof buffer)) > 0)
        bytes.append(buffer, static_cast<size_t>(count));
    ::close(fd);
    return bytes;
}

/// The first difference between the tree at `expected` and the one at `actual` (types, names,
/// symlink targets, file bytes; never following a symlink), or an empty string.
inline QString compareTrees(const fs::path& expected, const fs::path& actual)
{
    size_t expectedCount = 0;
    std::error_code error;
    for (auto it = fs::recursive_directory_iterator(expected, error);
         it != fs::recursive_directory_iterator(); it.increment(error)) {
        if (error)
            return QString::fromStdString("walking the source: " + error.message());
        fs::path relative = it->path().lexically_relative(expected);
        fs::path other = actual / relative;
        fs::file_status mine = it->symlink_status();
        fs::file_status theirs = fs::symlink_status(other, error);
        QString where = QString::fromStdString(relative.string());
        if (error || theirs.type() != mine.type())
            return QStringLiteral("%1: missing or of another type").arg(where);
        if (fs::is_symlink(mine) && fs::read_symlink(it->path()) != fs::read_symlink(other))
            return QStringLiteral("%1: another symlink target").arg(where);
        if (fs::is_regular_file(mine) && fileBytes(it->path()) != fileBytes(other))
            return QStringLiteral("%1: other bytes").arg(where);
        ++expectedCount;
    }
    size_t actualCount = static_cast<size_t>(std::distance(
        fs::recursive_directory_iterator(actual), fs::recursive_directory_iterator()));
    if (actualCount != expectedCount)
        return QStringLiteral("%1 entries read back, %2 in the source")
            .arg(actualCount)
            .arg(expectedCount);
    return {};
}

/// Reads a synthesized image the way Linux 6.1 does: inodes by nid, directory data through the
/// flat or inline layout, names found by the kernel's binary search across and within directory
/// blocks (erofs_find_target_block, find_target_dirent). Any byte it would read past the end of
/// the 4 KiB page that holds a directory block is flagged in overran().
class KernelStyleReader {
public:
    struct Inode {
        uint64_t nid = 0;
        uint16_t mode = 0;
        uint16_t layout = 0;
        bool extended = false;
        uint64_t size = 0;
        uint32_t rawBlock = 0;
        uint32_t links = 0;
        uint64_t inlineOffset = 0; // image offset of the inline tail
    };

    explicit KernelStyleReader(vmm::ErofsImage& image)
        : m_image(image)
    {
        vmm::erofs::SuperBlock superBlock {};
        std::memcpy(&superBlock, bytes(vmm::erofs::EROFS_SUPER_OFFSET, sizeof superBlock).data(),
            sizeof superBlock);
        m_rootNid = superBlock.root_nid;
        m_metaBlock = superBlock.meta_blkaddr;
    }

    uint64_t rootNid() const { return m_rootNid; }
    bool overran() const { return m_overran; }

    std::vector<uint8_t> bytes(uint64_t offset, uint64_t count)
    {
        std::vector<uint8_t> data(count);
        if (!m_image.read(offset, data))
            data.clear();
        return data;
    }

    std::optional<Inode> inode(uint64_t nid)
    {
        using namespace vmm::erofs;
        uint64_t offset = m_metaBlock * kBlockSize + nid * kInodeSlotSize;
        auto raw = bytes(offset, sizeof(InodeExtended));
        if (raw.empty())
            return {};
        Inode result;
        result.nid = nid;
        uint16_t format = 0;
        std::memcpy(&format, raw.data(), sizeof format);
        result.extended = (format & 1) != 0;
        result.layout = static_cast<uint16_t>((format >> 1) & 7);
        if (result.extended) {
            InodeExtended disk {};
            std::memcpy(&disk, raw.data(), sizeof disk);
            result.mode = disk.i_mode;
            result.size = disk.i_size;
            result.rawBlock = disk.i_raw_blkaddr;
            result.links = disk.i_nlink;
        } else {
            InodeCompact disk {};
            std::memcpy(&disk, raw.data(), sizeof disk);
            result.mode = disk.i_mode;
            result.size = disk.i_size;
            result.rawBlock = disk.i_raw_blkaddr;
            result.links = disk.i_nlink;
        }
        result.inlineOffset =
            offset + (result.extended ? sizeof(InodeExtended) : sizeof(InodeCompact));
        return result;
    }

    /// The image offset of the inode's data at `position` (flat plain or inline tail).
    uint64_t dataOffset(const Inode& inode, uint64_t position) const
    {
        using vmm::erofs::kBlockSize;
        uint64_t blocks = (inode.size + kBlockSize - 1) / kBlockSize;
        uint64_t lastBlock = blocks - (inode.layout == vmm::erofs::EROFS_INODE_FLAT_INLINE ? 1 : 0);
        if (position < lastBlock * kBlockSize)
            return uint64_t {inode.rawBlock} * kBlockSize + position;
        return inode.inlineOffset + position % kBlockSize;
    }

    /// Reads `count` bytes of the inode's data at `position`.
    std::vector<uint8_t> data(const Inode& inode, uint64_t position, uint64_t count)
    {
        std::vector<uint8_t> result;
        while (count > 0) {
            uint64_t inBlock =
                std::min(count, vmm::erofs::kBlockSize - position % vmm::erofs::kBlockSize);
            auto part = bytes(dataOffset(inode, position), inBlock);
            result.insert(result.end(), part.begin(), part.end());
            position += inBlock;
            count -= inBlock;
        }
        return result;
    }

    /// The nid `name` leads to in `folder`, found as the kernel finds it.
    std::optional<uint64_t> lookup(const Inode& folder, const std::string& name)
    {
        using vmm::erofs::kBlockSize;
        int head = 0;
        int back = static_cast<int>((folder.size + kBlockSize - 1) / kBlockSize) - 1;
        unsigned startPrefix = 0;
        unsigned endPrefix = 0;
        std::optional<Block> candidate;
        while (head <= back) {
            const int mid = head + (back - head) / 2;
            Block block = directoryBlock(folder, static_cast<uint64_t>(mid));
            unsigned nameOffset = block.u16(8) & (kBlockSize - 1);
            unsigned count = static_cast<unsigned>(nameOffset / sizeof(vmm::erofs::Dirent));
            if (count == 0)
                return {};
            unsigned matched = std::min(startPrefix, endPrefix);
            unsigned end = count == 1
                ? kBlockSize
                : (block.u16(sizeof(vmm::erofs::Dirent) + 8) & (kBlockSize - 1));
            int difference = compare(name, block, nameOffset, end, matched);
            if (difference < 0) {
                back = mid - 1;
                endPrefix = matched;
                continue;
            }
            if (difference == 0)
                return block.u64(0);
            head = mid + 1;
            startPrefix = matched;
            candidate = std::move(block);
        }
        if (!candidate)
            return {};
        return findInBlock(*candidate, name);
    }

    /// The inode at '/'-separated `path` from the root (symlinks are not followed).
    std::optional<Inode> resolve(const std::string& path)
    {
        auto current = inode(m_rootNid);
        size_t start = 0;
        while (current && start < path.size()) {
            size_t slash = path.find('/', start);
            std::string component =
                path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
            auto nid = lookup(*current, component);
            if (!nid)
                return {};
            current = inode(*nid);
            start = slash == std::string::npos ? path.size() : slash + 1;
        }
        return current;
    }

    /// The names of `folder` in on-disk order, as readdir lists them.
    std::vector<std::string> list(const Inode& folder)
    {
        using vmm::erofs::kBlockSize;
        std::vector<std::string> names;
        for (uint64_t position = 0; position < folder.size; position += kBlockSize) {
            Block block = directoryBlock(folder, position / kBlockSize);
            unsigned maxSize =
                static_cast<unsigned>(std::min<uint64_t>(folder.size - position, kBlockSize));
            unsigned count = static_cast<unsigned>(block.u16(8) / sizeof(vmm::erofs::Dirent));
            for (unsigned index = 0; index < count; ++index) {
                unsigned nameOffset = block.u16(index * sizeof(vmm::erofs::Dirent) + 8);
                unsigned nameEnd = index + 1 < count
                    ? block.u16((index + 1) * sizeof(vmm::erofs::Dirent) + 8)
                    : maxSize;
                std::string name;
                for (unsigned at = nameOffset; at < nameEnd && block.at(at) != 0; ++at)
                    name += static_cast<char>(block.at(at));
                names.push_back(name);
            }
        }
        return names;
    }

private:
    // A directory block as the kernel maps it: from its start to the end of its 4 KiB page.
    struct Block {
        std::vector<uint8_t> bytes;
        bool* overran = nullptr;

        uint8_t at(uint64_t index) const
        {
            if (index >= bytes.size()) {
                *overran = true;
                return 0;
            }
            return bytes[index];
        }
        uint16_t u16(uint64_t index) const
        {
            return static_cast<uint16_t>(at(index) | at(index + 1) << 8);
        }
        uint64_t u64(uint64_t index) const
        {
            uint64_t value = 0;
            for (int byte = 7; byte >= 0; --byte)
                value = value << 8 | at(index + static_cast<uint64_t>(byte));
            return value;
        }
    };

    Block directoryBlock(const Inode& folder, uint64_t block)
    {
        using vmm::erofs::kBlockSize;
        uint64_t offset = dataOffset(folder, block * kBlockSize);
        return Block {bytes(offset, kBlockSize - offset % kBlockSize), &m_overran};
    }

    // erofs_dirnamecmp: `name` is NUL-terminated (std::string), the on-disk one ends at `end` or
    // at a NUL.
    static int compare(const std::string& name, const Block& block, unsigned nameOffset,
        unsigned end, unsigned& matched)
    {
        unsigned index = matched;
        while (nameOffset + index < end && block.at(nameOffset + index) != 0) {
            uint8_t mine = index < name.size() ? static_cast<uint8_t>(name[index]) : 0;
            if (mine != block.at(nameOffset + index)) {
                matched = index;
                return mine > block.at(nameOffset + index) ? 1 : -1;
            }
            ++index;
        }
        matched = index;
        return index >= name.size() ? 0 : 1;
    }

    // find_target_dirent: binary search from the second dirent (the first was compared already).
    static std::optional<uint64_t> findInBlock(const Block& block, const std::string& name)
    {
        using vmm::erofs::kBlockSize;
        constexpr unsigned direntSize = sizeof(vmm::erofs::Dirent);
        const int count = static_cast<int>((block.u16(8) & (kBlockSize - 1)) / direntSize);
        int head = 1;
        int back = count - 1;
        unsigned startPrefix = 0;
        unsigned endPrefix = 0;
        while (head <= back) {
            const int mid = head + (back - head) / 2;
            unsigned nameOffset =
                block.u16(static_cast<unsigned>(mid) * direntSize + 8) & (kBlockSize - 1);
            unsigned end = mid >= count - 1
                ? kBlockSize
                : block.u16(static_cast<unsigned>(mid + 1) * direntSize + 8) & (kBlockSize - 1);
            unsigned matched = std::min(startPrefix, endPrefix);
            int difference = compare(name, block, nameOffset, end, matched);
            if (difference == 0)
                return block.u64(static_cast<unsigned>(mid) * direntSize);
            if (difference > 0) {
                head = mid + 1;
                startPrefix = matched;
            } else {
                back = mid - 1;
                endPrefix = matched;
            }
        }
        return {};
    }

    vmm::ErofsImage& m_image;
    uint64_t m_rootNid = 0;
    uint64_t m_metaBlock = 0;
    bool m_overran = false;
};

} // namespace datasettest
