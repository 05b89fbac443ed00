#pragma once

#include "AppResult.h"
#include "audit/AuditEvent.h"

#include <memory>

#include <QList>
#include <QObject>
#include <QTimer>

namespace app {

class AuditStore;

/// SessionManager's one way into the audit trail. An event that cannot be written (disk full,
/// file gone read-only) is never dropped: it is kept, in order and with the time it happened,
/// and written again every few seconds until the store takes it; the caller is told each time a
/// new event has to wait, so that the user can free space.
class AuditWriter : public QObject {
    Q_OBJECT
public:
    /// Writes to `store` (owned).
    explicit AuditWriter(std::unique_ptr<AuditStore> store, QObject* parent = nullptr);
    /// Makes a last attempt to write what waits; what still cannot be written is logged.
    ~AuditWriter() override;

    /// Appends `event` (stamped now if it has no time) after any events still waiting. Fails with
    /// the user-facing message when it has to wait; it is then written by a later attempt.
    Result<void> record(AuditEvent event);
    /// Tries to write what waits now; fails while something still waits.
    Result<void> flush();
    /// How many events wait to be written.
    qsizetype pendingCount() const { return m_pending.size(); }
    /// The store.
    AuditStore& store() { return *m_store; }
    /// How long between two attempts to write what waits (tests make it short).
    void setRetryInterval(std::chrono::milliseconds interval)
    {
        m_retryTimer.setInterval(interval);
    }

signals:
    /// An event reached the audit trail.
    void appended();
    /// Every event that waited has now been written.
    void recovered();

private:
    QString failureMessage(const QString& cause) const;

    std::unique_ptr<AuditStore> m_store;
    QList<AuditEvent> m_pending;
    QTimer m_retryTimer;
};

} // namespace app
