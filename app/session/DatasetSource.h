#pragma once

#include <QList>
#include <QString>
#include <QtGlobal>

namespace app {

/// A host folder or file the user chose as a dataset (by a drop or a picker), as
/// DatasetInspector found it. The guest sees it read-only at /datasets/<name>.
struct DatasetSource {
    /// Whether the dataset is a folder tree or one file.
    enum class Kind { Folder, File };

    /// The directory name under /datasets, unique within the session.
    QString name;
    /// The absolute, cleaned host path (never a symbolic link itself).
    QString hostPath;
    /// A folder tree or a single file.
    Kind kind = Kind::Folder;
    /// Regular files in the dataset (symbolic links are not followed and not counted).
    qint64 fileCount = 0;
    /// Folders below the root.
    qint64 folderCount = 0;
    /// Sum of the regular files' sizes in bytes.
    qint64 totalBytes = 0;
    /// Devices, pipes and sockets inside the folder: the engine leaves them out of the dataset.
    qint64 skippedCount = 0;
    /// The host's identity of the root (st_dev, st_ino), so the same folder is refused twice even
    /// under another path.
    quint64 device = 0;
    /// See device.
    quint64 inode = 0;
    /// SHA-256 of the dataset's manifest (hex), filled in when the engine has mounted it; empty
    /// before.
    QString manifestDigest;
};

/// The names already given to `sources`, for making a new one unique.
QStringList datasetNames(const QList<DatasetSource>& sources);

} // namespace app
