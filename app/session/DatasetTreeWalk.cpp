#include "DatasetTreeWalk.h"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <memory>
#include <system_error>
#include <unistd.h>

#include <sys/stat.h>

#include <QCoreApplication>
#include <QFile>

namespace app {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("app::DatasetInspector", text);
}

QString errnoText(int error)
{
    return QString::fromStdString(std::generic_category().message(error));
}

struct DirectoryCloser {
    void operator()(DIR* stream) const { ::closedir(stream); }
};
using DirectoryStream = std::unique_ptr<DIR, DirectoryCloser>;

constexpr int kFolderOpenFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

} // namespace

DatasetTreeWalk::DatasetTreeWalk(QString rootPath, InspectionProgress* progress)
    : m_rootPath(std::move(rootPath))
    , m_progress(progress)
{
}

Result<DatasetTreeWalk::Totals> DatasetTreeWalk::run()
{
    QByteArray root = QFile::encodeName(m_rootPath);
    // A folder needs read (list it) and search (reach what is in it); access() asks the kernel,
    // so ACLs and the like count as they will when the engine opens it.
    if (::access(root.constData(), R_OK | X_OK) != 0)
        return failure(unreadableFolder({}, errno));
    int rootFd = ::open(root.constData(), kFolderOpenFlags);
    if (rootFd < 0)
        return failure(unreadableFolder({}, errno));
    // Folders are walked one at a time from a list of relative paths, so the number of open fds
    // stays at two however deep the tree is.
    m_pending.append(QByteArray());
    Result<void> walked;
    while (!m_pending.isEmpty() && walked) {
        QByteArray relativePath = m_pending.takeLast();
        walked = walkFolder(rootFd, relativePath);
    }
    ::close(rootFd);
    if (!walked)
        return tl::unexpected(walked.error());
    return m_totals;
}

Result<void> DatasetTreeWalk::walkFolder(int rootFd, const QByteArray& relativePath)
{
    if (cancelled())
        return failure(tr("Inspecting “%1” was cancelled; nothing was added.").arg(m_rootPath));
    const char* target = relativePath.isEmpty() ? "." : relativePath.constData();
    int fd = ::openat(rootFd, target, kFolderOpenFlags);
    if (fd < 0) {
        if (errno == ENOENT)
            return {}; // removed since its parent was listed: not part of the dataset
        return failure(unreadableFolder(relativePath, errno));
    }
    DirectoryStream stream(::fdopendir(fd));
    if (!stream) {
        int error = errno;
        ::close(fd);
        return failure(unreadableFolder(relativePath, error));
    }
    while (true) {
        errno = 0;
        const dirent* item = ::readdir(stream.get());
        if (item == nullptr) {
            if (errno != 0)
                return failure(unreadableFolder(relativePath, errno));
            return {};
        }
        QByteArray name(item->d_name);
        if (name == "." || name == "..")
            continue;
        if (cancelled())
            return failure(tr("Inspecting “%1” was cancelled; nothing was added.").arg(m_rootPath));
        QByteArray childPath = relativePath.isEmpty() ? name : relativePath + '/' + name;
        if (Result<void> visited = visitEntry(::dirfd(stream.get()), item->d_name, childPath);
            !visited)
            return visited;
    }
}

Result<void> DatasetTreeWalk::visitEntry(
    int folderFd, const char* name, const QByteArray& childPath)
{
    struct stat status { };
    if (::fstatat(folderFd, name, &status, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT)
            return {}; // removed since the listing
        return failure(unreadableFolder(childPath.left(childPath.lastIndexOf('/') + 1), errno));
    }
    if (S_ISREG(status.st_mode)) {
        if (::faccessat(folderFd, name, R_OK, AT_EACCESS) != 0)
            return failure(unreadableFile(childPath, errno));
        ++m_totals.files;
        m_totals.bytes += static_cast<qint64>(status.st_size);
        if (m_progress) {
            m_progress->files.store(m_totals.files, std::memory_order_relaxed);
            m_progress->bytes.store(m_totals.bytes, std::memory_order_relaxed);
        }
    } else if (S_ISDIR(status.st_mode)) {
        if (::faccessat(folderFd, name, R_OK | X_OK, AT_EACCESS) != 0)
            return failure(unreadableFolder(childPath, errno));
        ++m_totals.folders;
        m_pending.append(childPath);
    } else if (!S_ISLNK(status.st_mode)) {
        // A link is kept as a link in the guest and never followed here; devices, pipes and
        // sockets have no data to share and the engine leaves them out.
        ++m_totals.skipped;
    }
    return {};
}

QString DatasetTreeWalk::shown(const QByteArray& relativePath) const
{
    QByteArray trimmed = relativePath.endsWith('/') ? relativePath.chopped(1) : relativePath;
    if (trimmed.isEmpty())
        return m_rootPath;
    QString separator = m_rootPath.endsWith(u'/') ? QString() : QStringLiteral("/");
    return m_rootPath + separator + QFile::decodeName(trimmed);
}

QString DatasetTreeWalk::unreadableFolder(const QByteArray& relativePath, int error) const
{
    return tr("Airlock cannot open the folder “%1”: %2. Give your user read and search access to "
              "it (for example chmod u+rx), or move it out of the dataset, then add the dataset "
              "again.")
        .arg(shown(relativePath), errnoText(error));
}

QString DatasetTreeWalk::unreadableFile(const QByteArray& relativePath, int error) const
{
    return tr("Airlock cannot read the file “%1”: %2. Give your user read access to it (for "
              "example chmod u+r), or move it out of the dataset, then add the dataset again.")
        .arg(shown(relativePath), errnoText(error));
}

bool DatasetTreeWalk::cancelled() const
{
    return m_progress && m_progress->cancelRequested.load(std::memory_order_relaxed);
}

} // namespace app
