#pragma once

#include "AppResult.h"

#include <QSqlDatabase>

namespace app {

/// One SQLite transaction, rolled back when it goes out of scope uncommitted. A write transaction
/// takes the write lock at BEGIN (IMMEDIATE), so that a second writer waits at the start instead
/// of failing half-way.
class AuditTransaction {
public:
    /// Begins a write transaction on `database`, waiting up to its busy timeout for the lock.
    static Result<AuditTransaction> begin(const QSqlDatabase& database);
    /// Begins a read transaction: every read in it sees one snapshot, however others write.
    static Result<AuditTransaction> beginRead(const QSqlDatabase& database);

    AuditTransaction(AuditTransaction&& other) noexcept;
    AuditTransaction& operator=(AuditTransaction&&) = delete;
    AuditTransaction(const AuditTransaction&) = delete;
    AuditTransaction& operator=(const AuditTransaction&) = delete;
    /// Rolls back unless commit() succeeded.
    ~AuditTransaction();

    /// Commits; with synchronous=FULL the changes are on disk when this returns success.
    Result<void> commit();

private:
    explicit AuditTransaction(QSqlDatabase database);

    QSqlDatabase m_database;
    bool m_open = true;
};

} // namespace app
