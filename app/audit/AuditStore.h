#pragma once

#include "AppResult.h"
#include "audit/AuditEvent.h"
#include "audit/AuditFilter.h"
#include "audit/AuditSessionSummary.h"
#include "audit/AuditVerification.h"

#include <memory>

#include <QList>
#include <QString>

namespace app {

/// The last row of the chain as the chain head records it: what an auditor can note down to
/// check later that nothing was cut off the end.
struct AuditChainHead {
    /// The last row's id (0 for an empty trail).
    qint64 lastId = 0;
    /// The last row's hash (AuditRowHash::genesis() for an empty trail).
    QString lastHash;
};

/// The tamper-evident audit trail (DESIGN.md §Audit trail): an SQLite file in WAL mode with
/// synchronous=FULL, append-only rows each holding the SHA-256 of the row before, a chain head
/// updated in the same transaction, and a versioned schema migrated on open.
///
/// One writer: an AuditStore belongs to the thread that opened it (Qt Sql connections are
/// per-thread) and every call must come from that thread. Other processes (airlockctl) may open
/// the same file; SQLite's locking serializes their appends. To verify a long trail without
/// blocking the GUI, open a second AuditStore on the same path in the worker thread.
class AuditStore {
public:
    /// Opens the trail at `path`, creating it and its folder when missing, and migrates it to
    /// the current schema. Fails, leaving the file unchanged, when it is not an Airlock audit
    /// trail or was written by a newer Airlock.
    static Result<std::unique_ptr<AuditStore>> open(const QString& path);

    /// Where the user's trail lives: $XDG_DATA_HOME/airlock/audit.sqlite (not dependent on the
    /// application name).
    static QString defaultPath();

    AuditStore(const AuditStore&) = delete;
    AuditStore& operator=(const AuditStore&) = delete;
    ~AuditStore();

    /// The file this store writes.
    QString path() const { return m_path; }

    /// Appends `event` at the end of the chain, filling in its time, user and host when unset,
    /// and returns it with its id and hashes. Returns only after the transaction committed, so an
    /// event that was returned is on disk.
    Result<AuditEvent> append(AuditEvent event);

    /// The events `filter` selects, ordered by id.
    Result<QList<AuditEvent>> events(const AuditFilter& filter = {}) const;

    /// Every session in the trail, in order of its first event.
    Result<QList<AuditSessionSummary>> sessions() const;

    /// The chain head (last id and hash).
    Result<AuditChainHead> head() const;

    /// Checks the file's integrity, re-hashes every row, checks every link and the chain head.
    /// Reads only: record the outcome with append(AuditEvents::auditVerified(...)).
    AuditVerification verify() const;

private:
    AuditStore(QString connectionName, QString path);

    QString m_connectionName;
    QString m_path;
};

} // namespace app
