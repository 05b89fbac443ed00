#include "ManagedOutboxSource.h"

#include "EngineSession.h"
#include "ManagedSession.h"

namespace ui {

ManagedOutboxSource::ManagedOutboxSource(app::ManagedSession& session)
    : m_session(session)
{
}

QFuture<app::Result<QList<app::OutboxFile>>> ManagedOutboxSource::list()
{
    return m_session.listOutbox();
}

QFuture<app::Result<app::OutboxExport>> ManagedOutboxSource::exportFile(
    const QString& name, const QString& destination)
{
    return m_session.exportOutboxFile(name, destination);
}

QFuture<app::Result<app::OutboxExport>> ManagedOutboxSource::previewCopy(
    const QString& name, const QString& destination)
{
    return m_session.engine().fetchOutboxFile(name, destination);
}

} // namespace ui
