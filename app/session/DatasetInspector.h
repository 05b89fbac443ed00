#pragma once

#include "AppResult.h"
#include "DatasetSource.h"

#include <atomic>

#include <QList>
#include <QString>
#include <QStringList>

namespace app {

/// What a running inspection has counted so far, and a flag that stops it; shared between the
/// worker thread that inspects and the GUI thread that shows progress.
struct InspectionProgress {
    /// Regular files counted so far.
    std::atomic<qint64> files {0};
    /// Bytes of those files.
    std::atomic<qint64> bytes {0};
    /// Set to stop the inspection at the next entry; it then fails with a "cancelled" message.
    std::atomic<bool> cancelRequested {false};
};

/// Looks at a host folder or file before it becomes a dataset: can the engine read all of it,
/// how big is it, what is it called in the guest. Walks whole trees, so callers run it on a
/// worker thread (DatasetInspection does).
class DatasetInspector {
public:
    /// Inspects `path` for a session that already holds `chosen`: it must exist, be a folder or a
    /// regular file (not a link, device, pipe or socket), not be one of `chosen`, and every
    /// folder in it must be readable and searchable and every file readable; the first one that
    /// is not is named in the error. Counts files and bytes without following symbolic links.
    /// Publishes counts to, and stops on request from, `progress` when given.
    static Result<DatasetSource> inspect(const QString& path,
        const QList<DatasetSource>& chosen = {}, InspectionProgress* progress = nullptr);

    /// The name the guest sees for `hostPath`: its last component (control characters replaced
    /// by '_'), "root" for "/".
    static QString baseName(const QString& hostPath);

    /// `base`, or "base-2", "base-3"... : the first that is not in `taken`.
    static QString uniqueName(const QString& base, const QStringList& taken);
};

} // namespace app
