#include "TreeScanner.h"

#include "DirectOpener.h"
#include "ErofsFormat.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <dirent.h>
#include <fcntl.h>
#include <limits>
#include <unistd.h>

#include <sys/stat.h>

namespace vmm {

namespace {

constexpr size_t kSkippedExamples = 10;
constexpr size_t kMaximumEntries = std::numeric_limits<uint32_t>::max() - 1;

std::string withoutTrailingSlashes(std::string path)
{
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    return path;
}

std::string baseName(const std::string& path)
{
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string parentFolder(const std::string& path)
{
    size_t slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

TreeEntry entryFromStat(const struct stat& status, std::string name, uint32_t parent)
{
    TreeEntry entry;
    entry.name = std::move(name);
    entry.parent = parent;
    entry.permissions = static_cast<uint16_t>(status.st_mode & 0777);
    entry.size = static_cast<uint64_t>(status.st_size);
    entry.mtimeSeconds = status.st_mtim.tv_sec;
    entry.mtimeNanoseconds = static_cast<uint32_t>(status.st_mtim.tv_nsec);
    entry.device = status.st_dev;
    entry.inode = status.st_ino;
    return entry;
}

std::string shown(const ScannedTree& tree, const std::string& relativePath)
{
    return "\"" + (relativePath.empty() ? tree.hostPath : tree.hostPath + "/" + relativePath) +
        "\"";
}

Error unreadableFolder(const ScannedTree& tree, const std::string& relativePath, int errnoValue)
{
    return Error::fromErrno("dataset", errnoValue,
        "cannot open the folder " + shown(tree, relativePath) +
            ": give your user read and search permission on it (chmod u+rx) or move it out "
            "of the dataset");
}

Error unreadableFile(const ScannedTree& tree, const std::string& relativePath, int errnoValue)
{
    return Error::fromErrno("dataset", errnoValue,
        "cannot read the file " + shown(tree, relativePath) +
            ": give your user read permission on it (chmod u+r) or move it out of the dataset");
}

// An error from the opener itself (the broker stopped, refused) is shown as it is; any other
// failure to open means the file or folder cannot be read.
Error openFailure(const Error& error, Error unreadable)
{
    if (error.operation() == kOpenerFailure || error.errnoValue() == 0)
        return error;
    return unreadable;
}

// Opens a regular file read-only (O_NONBLOCK: a file swapped for a fifo must not hang the scan)
// and returns its fstat, so the size recorded is the one of the file that could be opened.
Result<struct stat> checkReadable(FileOpener& opener, const std::string& relativePath)
{
    UniqueFd file = VMM_TRY(opener.open(relativePath, O_RDONLY | O_NONBLOCK | O_NOCTTY));
    struct stat status { };
    if (::fstat(file.get(), &status) != 0)
        return failure(Error::fromErrno("fstat", errno));
    return status;
}

class Walker {
public:
    explicit Walker(ScannedTree& tree)
        : m_tree(tree)
    {
    }

    // Reads folder `index` (already in m_tree.entries) and appends its children, sorted.
    Result<void> readFolder(uint32_t index)
    {
        std::string relativePath = m_tree.relativePath(index);
        auto opened = m_tree.opener->open(relativePath, O_RDONLY | O_DIRECTORY);
        if (!opened)
            return failure(openFailure(opened.error(),
                unreadableFolder(m_tree, relativePath, opened.error().errnoValue())));
        UniqueFd folder = std::move(opened).value();
        struct stat status { };
        if (::fstat(folder.get(), &status) != 0)
            return failure(Error::fromErrno("fstat", errno, shown(m_tree, relativePath)));
        const TreeEntry& self = m_tree.entries[index];
        if (status.st_dev != self.device || status.st_ino != self.inode)
            return failure(Error::invalid("dataset",
                "the folder " + shown(m_tree, relativePath) +
                    " was replaced while it was being scanned; add the dataset again"));

        int streamFd = ::dup(folder.get());
        if (streamFd < 0)
            return failure(Error::fromErrno("dup", errno));
        DIR* stream = ::fdopendir(streamFd);
        if (stream == nullptr) {
            ::close(streamFd);
            return failure(Error::fromErrno("fdopendir", errno, shown(m_tree, relativePath)));
        }
        std::vector<TreeEntry> children;
        auto result = readEntries(stream, folder.get(), index, relativePath, children);
        ::closedir(stream);
        if (!result)
            return result;
        return appendChildren(index, std::move(children));
    }

private:
    Result<void> readEntries(DIR* stream, int folderFd, uint32_t index,
        const std::string& relativePath, std::vector<TreeEntry>& children)
    {
        while (true) {
            errno = 0;
            const dirent* item = ::readdir(stream);
            if (item == nullptr) {
                if (errno != 0)
                    return failure(unreadableFolder(m_tree, relativePath, errno));
                return {};
            }
            std::string name = item->d_name;
            if (name == "." || name == "..")
                continue;
            std::string childPath = relativePath.empty() ? name : relativePath + "/" + name;
            if (name.size() > erofs::EROFS_NAME_LEN)
                return failure(Error::invalid("dataset",
                    "the name of " + shown(m_tree, childPath) + " is longer than 255 bytes"));
            VMM_TRY(readEntry(folderFd, index, name, childPath, children));
        }
    }

    Result<void> readEntry(int folderFd, uint32_t index, const std::string& name,
        const std::string& childPath, std::vector<TreeEntry>& children)
    {
        struct stat status { };
        if (::fstatat(folderFd, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT)
                return {}; // removed since readdir: it is not part of the dataset
            return failure(unreadableFolder(m_tree, parentPathOf(childPath), errno));
        }
        if (S_ISREG(status.st_mode)) {
            auto opened = checkReadable(*m_tree.opener, childPath);
            if (!opened)
                return failure(openFailure(opened.error(),
                    unreadableFile(m_tree, childPath, opened.error().errnoValue())));
            if (!S_ISREG(opened->st_mode) || opened->st_ino != status.st_ino)
                return failure(Error::invalid("dataset",
                    "the file " + shown(m_tree, childPath) +
                        " was replaced while it was being scanned; add the dataset again"));
            children.push_back(entryFromStat(*opened, name, index));
            children.back().kind = EntryKind::RegularFile;
        } else if (S_ISDIR(status.st_mode)) {
            children.push_back(entryFromStat(status, name, index));
            children.back().kind = EntryKind::Directory;
        } else if (S_ISLNK(status.st_mode)) {
            VMM_TRY(readLink(folderFd, name, childPath, status, index, children));
        } else {
            ++m_tree.skippedCount;
            if (m_tree.skippedExamples.size() < kSkippedExamples)
                m_tree.skippedExamples.push_back(childPath);
        }
        return {};
    }

    Result<void> readLink(int folderFd, const std::string& name, const std::string& childPath,
        const struct stat& status, uint32_t index, std::vector<TreeEntry>& children)
    {
        std::string target(PATH_MAX, '\0');
        ssize_t length = ::readlinkat(folderFd, name.c_str(), target.data(), target.size());
        if (length < 0)
            return failure(Error::fromErrno("readlinkat", errno, shown(m_tree, childPath)));
        if (static_cast<size_t>(length) >= target.size() || length == 0)
            return failure(Error::invalid("dataset",
                "the symbolic link " + shown(m_tree, childPath) + " has an unusable target"));
        target.resize(static_cast<size_t>(length));
        TreeEntry entry = entryFromStat(status, name, index);
        entry.kind = EntryKind::Symlink;
        entry.size = target.size();
        entry.linkTarget = std::move(target);
        children.push_back(std::move(entry));
        return {};
    }

    Result<void> appendChildren(uint32_t index, std::vector<TreeEntry> children)
    {
        if (m_tree.entries.size() + children.size() > kMaximumEntries)
            return failure(Error::invalid("dataset", "more than 4 billion entries"));
        std::sort(children.begin(), children.end(),
            [](const TreeEntry& a, const TreeEntry& b) { return a.name < b.name; });
        m_tree.entries[index].firstChild = static_cast<uint32_t>(m_tree.entries.size());
        m_tree.entries[index].childCount = static_cast<uint32_t>(children.size());
        for (TreeEntry& child : children) {
            switch (child.kind) {
            case EntryKind::Directory:
                ++m_tree.folderCount;
                break;
            case EntryKind::RegularFile:
                ++m_tree.fileCount;
                m_tree.totalBytes += child.size;
                break;
            case EntryKind::Symlink:
                ++m_tree.symlinkCount;
                break;
            }
            m_tree.entries.push_back(std::move(child));
        }
        return {};
    }

    static std::string parentPathOf(const std::string& path)
    {
        size_t slash = path.rfind('/');
        return slash == std::string::npos ? std::string() : path.substr(0, slash);
    }

    ScannedTree& m_tree;
};

// Walks the folder the opener opens beneath; `expected` (when given) is the folder the caller
// looked at, which the opened one must still be.
Result<ScannedTree> scanFolder(ScannedTree tree, const struct stat* expected)
{
    auto opened = tree.opener->open({}, O_RDONLY | O_DIRECTORY);
    if (!opened)
        return failure(
            openFailure(opened.error(), unreadableFolder(tree, {}, opened.error().errnoValue())));
    struct stat status { };
    if (::fstat(opened->get(), &status) != 0)
        return failure(Error::fromErrno("fstat", errno, shown(tree, {})));
    if (expected && (status.st_dev != expected->st_dev || status.st_ino != expected->st_ino))
        return failure(Error::invalid("dataset",
            "the folder " + shown(tree, {}) +
                " was replaced while it was being opened; try again"));
    TreeEntry root = entryFromStat(status, {}, 0);
    root.kind = EntryKind::Directory;
    tree.entries.push_back(std::move(root));
    Walker walker(tree);
    // Breadth first: entries grows while it is walked, each folder's children appended together.
    for (size_t index = 0; index < tree.entries.size(); ++index) {
        if (tree.entries[index].kind == EntryKind::Directory)
            VMM_TRY(walker.readFolder(static_cast<uint32_t>(index)));
    }
    return tree;
}

// Takes the one file tree.oneFileName of the base folder; `expected` as for scanFolder.
Result<ScannedTree> scanOneFile(ScannedTree tree, const struct stat* expected)
{
    auto opened = checkReadable(*tree.opener, tree.oneFileName);
    if (!opened)
        return failure(
            openFailure(opened.error(), unreadableFile(tree, {}, opened.error().errnoValue())));
    if (!S_ISREG(opened->st_mode) ||
        (expected && (opened->st_dev != expected->st_dev || opened->st_ino != expected->st_ino)))
        return failure(Error::invalid("dataset",
            "the file " + shown(tree, {}) + " was replaced while it was being opened; try again"));

    // The root is a folder Airlock makes up; it holds the one file.
    TreeEntry root = entryFromStat(*opened, {}, 0);
    root.kind = EntryKind::Directory;
    root.permissions = 0755;
    root.size = 0;
    root.device = 0;
    root.inode = 0;
    root.firstChild = 1;
    root.childCount = 1;
    tree.entries.push_back(std::move(root));
    TreeEntry file = entryFromStat(*opened, tree.oneFileName, 0);
    file.kind = EntryKind::RegularFile;
    tree.entries.push_back(std::move(file));
    tree.fileCount = 1;
    tree.totalBytes = static_cast<uint64_t>(opened->st_size);
    return tree;
}

bool isPlainName(const std::string& name)
{
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
        name.find('\0') == std::string::npos;
}

} // namespace

Result<ScannedTree> TreeScanner::scan(const std::string& hostPath)
{
    ScannedTree tree;
    tree.hostPath = withoutTrailingSlashes(hostPath);
    tree.name = baseName(tree.hostPath);
    if (tree.name.empty())
        tree.name = "root"; // the dataset is "/"
    if (tree.hostPath.empty())
        return failure(Error::invalid("dataset", "no path given"));

    int fd = ::open(tree.hostPath.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return failure(Error::fromErrno("dataset", errno, "cannot open " + shown(tree, {})));
    UniqueFd pathFd(fd);
    struct stat status { };
    if (::fstat(pathFd.get(), &status) != 0)
        return failure(Error::fromErrno("fstat", errno, shown(tree, {})));

    tree.scannedByPath = true;
    if (S_ISDIR(status.st_mode)) {
        int folder = ::openat(pathFd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (folder < 0)
            return failure(unreadableFolder(tree, {}, errno));
        tree.opener = std::make_shared<DirectOpener>(UniqueFd(folder));
        return scanFolder(std::move(tree), &status);
    }
    if (S_ISREG(status.st_mode)) {
        auto parent = UniqueFd::open(parentFolder(tree.hostPath).c_str(), O_RDONLY | O_DIRECTORY);
        if (!parent)
            return failure(unreadableFolder(tree, "..", parent.error().errnoValue()));
        tree.opener = std::make_shared<DirectOpener>(std::move(parent).value());
        tree.oneFileName = tree.name;
        return scanOneFile(std::move(tree), &status);
    }
    if (S_ISLNK(status.st_mode))
        return failure(Error::invalid("dataset",
            shown(tree, {}) +
                " is a symbolic link: Airlock never follows links on the host; add the folder "
                "or file it points to instead"));
    return failure(Error::invalid("dataset",
        shown(tree, {}) + " is neither a folder nor a regular file; add a folder or a file"));
}

Result<ScannedTree> TreeScanner::scan(DatasetSource source)
{
    if (!source.opener)
        return failure(Error::invalid("dataset", "no opener given"));
    ScannedTree tree;
    tree.hostPath = withoutTrailingSlashes(std::move(source.hostPath));
    tree.opener = std::move(source.opener);
    if (!source.oneFileName.empty()) {
        if (!isPlainName(source.oneFileName))
            return failure(
                Error::invalid("dataset", "a one-file dataset's name is not a file name"));
        tree.name = source.oneFileName;
        tree.oneFileName = std::move(source.oneFileName);
        return scanOneFile(std::move(tree), nullptr);
    }
    tree.name = baseName(tree.hostPath);
    if (tree.name.empty())
        tree.name = "root";
    return scanFolder(std::move(tree), nullptr);
}

} // namespace vmm
