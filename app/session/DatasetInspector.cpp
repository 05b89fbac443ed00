#include "DatasetInspector.h"

#include "DatasetTreeWalk.h"

#include <cerrno>
#include <fcntl.h>
#include <system_error>
#include <unistd.h>

#include <sys/stat.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

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

QString kindOfSpecialFile(mode_t mode)
{
    if (S_ISFIFO(mode))
        return tr("named pipe (FIFO)");
    if (S_ISSOCK(mode))
        return tr("socket");
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return tr("device");
    return tr("special file");
}

// The root itself: exists, is a folder or a regular file, and is not a link.
Result<struct stat> statRoot(const QString& path)
{
    struct stat status { };
    if (::lstat(QFile::encodeName(path).constData(), &status) != 0) {
        int error = errno;
        if (error == ENOENT || error == ENOTDIR)
            return failure(tr("“%1” does not exist any more: it was moved, renamed or deleted. "
                              "Find it again and add it from where it is now.")
                               .arg(path));
        if (error == EACCES)
            return failure(tr("Airlock cannot reach “%1”: a folder on the way to it is not "
                              "searchable. Give your user access to its parent folders, then "
                              "add it again.")
                               .arg(path));
        return failure(tr("Airlock cannot look at “%1”: %2. Check the path and add it again.")
                           .arg(path, errnoText(error)));
    }
    if (S_ISLNK(status.st_mode))
        return failure(tr("“%1” is a symbolic link. Airlock never follows links on the host; add "
                          "the folder or file it points to instead.")
                           .arg(path));
    if (!S_ISDIR(status.st_mode) && !S_ISREG(status.st_mode))
        return failure(tr("“%1” is a %2, not a folder or a file. Only folders and regular files "
                          "can be datasets; add a folder or a file.")
                           .arg(path, kindOfSpecialFile(status.st_mode)));
    return status;
}

Result<void> checkNotChosen(
    const QString& path, const struct stat& status, const QList<DatasetSource>& chosen)
{
    for (const DatasetSource& source : chosen) {
        bool sameFile = source.device == static_cast<quint64>(status.st_dev) &&
            source.inode == static_cast<quint64>(status.st_ino);
        if (sameFile || source.hostPath == path)
            return failure(tr("“%1” is already in this session as the dataset “%2”; each folder "
                              "or file is added once.")
                               .arg(path, source.name));
    }
    return {};
}

} // namespace

Result<DatasetSource> DatasetInspector::inspect(
    const QString& path, const QList<DatasetSource>& chosen, InspectionProgress* progress)
{
    if (path.trimmed().isEmpty())
        return failure(tr("No folder or file was given; choose one to add as a dataset."));
    DatasetSource source;
    source.hostPath = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    struct stat status = APP_TRY(statRoot(source.hostPath));
    // APP_TRY needs a value; a Result<void> is checked by hand.
    if (Result<void> fresh = checkNotChosen(source.hostPath, status, chosen); !fresh)
        return tl::unexpected(fresh.error());
    source.device = static_cast<quint64>(status.st_dev);
    source.inode = static_cast<quint64>(status.st_ino);
    source.name = uniqueName(baseName(source.hostPath), datasetNames(chosen));

    if (S_ISREG(status.st_mode)) {
        source.kind = DatasetSource::Kind::File;
        if (::access(QFile::encodeName(source.hostPath).constData(), R_OK) != 0)
            return failure(tr("Airlock cannot read “%1”: %2. Give your user read access to it "
                              "(for example chmod u+r), then add it again.")
                               .arg(source.hostPath, errnoText(errno)));
        source.fileCount = 1;
        source.totalBytes = static_cast<qint64>(status.st_size);
        if (progress) {
            progress->files = 1;
            progress->bytes = source.totalBytes;
        }
        return source;
    }
    source.kind = DatasetSource::Kind::Folder;
    DatasetTreeWalk walk(source.hostPath, progress);
    DatasetTreeWalk::Totals totals = APP_TRY(walk.run());
    source.fileCount = totals.files;
    source.folderCount = totals.folders;
    source.totalBytes = totals.bytes;
    source.skippedCount = totals.skipped;
    return source;
}

QString DatasetInspector::baseName(const QString& hostPath)
{
    QString name = QFileInfo(QDir::cleanPath(hostPath)).fileName();
    if (name.isEmpty())
        return QStringLiteral("root");
    // The guest refuses control characters in a /datasets/<name> (vmm/guest/StoragePlan.cpp).
    for (QChar& character : name) {
        if (character.category() == QChar::Other_Control)
            character = u'_';
    }
    return name;
}

QString DatasetInspector::uniqueName(const QString& base, const QStringList& taken)
{
    if (!taken.contains(base))
        return base;
    for (int suffix = 2;; ++suffix) {
        QString candidate = QStringLiteral("%1-%2").arg(base).arg(suffix);
        if (!taken.contains(candidate))
            return candidate;
    }
}

} // namespace app
