#pragma once

#include "AppResult.h"
#include "GuestAgent.h"

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QString>

namespace ui {

/// Where the outbox panel gets its files: a session's /outbox, or a fake in tests. The panel
/// knows nothing else about the session, and nothing leaves it except through exportFile().
class OutboxSource {
public:
    virtual ~OutboxSource() = default;

    /// Every file in /outbox.
    virtual QFuture<app::Result<QList<app::OutboxFile>>> list() = 0;
    /// Copies /outbox/`name` to the host file `destination` (hash checked); the one way out.
    virtual QFuture<app::Result<app::OutboxExport>> exportFile(
        const QString& name, const QString& destination) = 0;
    /// At most the first `maxBytes` of /outbox/`name`, for the preview pane. The default copies
    /// the file with previewCopy() into a private temporary folder (0700), reads it and deletes
    /// it again, for engines without a preview call of their own.
    virtual QFuture<app::Result<QByteArray>> preview(const QString& name, qint64 maxBytes);

protected:
    /// Copies /outbox/`name` to `destination` for a preview only: it is not an export (nothing
    /// leaves for the user to keep, nothing is recorded as one). The default is exportFile().
    virtual QFuture<app::Result<app::OutboxExport>> previewCopy(
        const QString& name, const QString& destination)
    {
        return exportFile(name, destination);
    }
};

} // namespace ui
