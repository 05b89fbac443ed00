#pragma once

#include "OutboxSource.h"

namespace app {
class ManagedSession;
}

namespace ui {

/// The outbox panel's view of a managed session: listing through ManagedSession (so that it
/// knows which files were never exported) and exports that are hash-checked and recorded in
/// the audit trail.
class ManagedOutboxSource : public OutboxSource {
public:
    /// The outbox of `session`, which must outlive this.
    explicit ManagedOutboxSource(app::ManagedSession& session);

    QFuture<app::Result<QList<app::OutboxFile>>> list() override;
    QFuture<app::Result<app::OutboxExport>> exportFile(
        const QString& name, const QString& destination) override;

protected:
    /// Fetched straight from the engine: a preview is not an export, so it is neither recorded
    /// in the audit trail nor counts as the file having been taken out.
    QFuture<app::Result<app::OutboxExport>> previewCopy(
        const QString& name, const QString& destination) override;

private:
    app::ManagedSession& m_session;
};

} // namespace ui
