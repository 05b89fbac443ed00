#include "audit/AuditTransaction.h"

#include "audit/AuditSql.h"

#include <utility>

namespace app {

Result<AuditTransaction> AuditTransaction::begin(const QSqlDatabase& database)
{
    // APP_TRY needs a value; a Result<void> is checked by hand.
    if (auto begun = AuditSql::execute(database, QStringLiteral("BEGIN IMMEDIATE")); !begun)
        return tl::unexpected(begun.error());
    return AuditTransaction(database);
}

Result<AuditTransaction> AuditTransaction::beginRead(const QSqlDatabase& database)
{
    if (auto begun = AuditSql::execute(database, QStringLiteral("BEGIN DEFERRED")); !begun)
        return tl::unexpected(begun.error());
    return AuditTransaction(database);
}

AuditTransaction::AuditTransaction(QSqlDatabase database)
    : m_database(std::move(database))
{
}

AuditTransaction::AuditTransaction(AuditTransaction&& other) noexcept
    : m_database(other.m_database)
    , m_open(std::exchange(other.m_open, false))
{
}

AuditTransaction::~AuditTransaction()
{
    if (m_open)
        (void)AuditSql::execute(m_database, QStringLiteral("ROLLBACK"));
}

Result<void> AuditTransaction::commit()
{
    auto committed = AuditSql::execute(m_database, QStringLiteral("COMMIT"));
    if (committed)
        m_open = false;
    return committed;
}

} // namespace app
