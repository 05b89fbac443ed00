#pragma once

#include "AppResult.h"
#include "DatasetInspector.h"

#include <QByteArray>
#include <QString>

namespace app {

/// The folder walk behind DatasetInspector: every folder below a root opened with openat and
/// O_NOFOLLOW, every entry looked at with lstat semantics, so no symbolic link is ever followed
/// on the host (the engine's vmm::TreeScanner makes the same choices at mount).
class DatasetTreeWalk {
public:
    /// What a finished walk counted.
    struct Totals {
        /// Regular files.
        qint64 files = 0;
        /// Folders below the root.
        qint64 folders = 0;
        /// Bytes in regular files.
        qint64 bytes = 0;
        /// Devices, pipes and sockets (left out of the dataset by the engine).
        qint64 skipped = 0;
    };

    /// A walk of the folder `rootPath` (absolute), publishing to `progress` when given.
    DatasetTreeWalk(QString rootPath, InspectionProgress* progress);

    /// Walks the whole tree; fails on the first folder or file the user cannot read, naming it.
    Result<Totals> run();

private:
    Result<void> walkFolder(int rootFd, const QByteArray& relativePath);
    Result<void> visitEntry(int folderFd, const char* name, const QByteArray& childPath);
    QString shown(const QByteArray& relativePath) const;
    QString unreadableFolder(const QByteArray& relativePath, int error) const;
    QString unreadableFile(const QByteArray& relativePath, int error) const;
    bool cancelled() const;

    QString m_rootPath;
    InspectionProgress* m_progress;
    Totals m_totals;
    QList<QByteArray> m_pending;
};

} // namespace app
