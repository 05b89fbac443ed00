#pragma once

#include "audit/AuditVerification.h"

#include <QSqlDatabase>

namespace app {

/// Walks an audit database and decides whether its chain is intact (AuditStore::verify()).
namespace AuditVerifier {

/// Runs SQLite's integrity check, then re-hashes every row in id order, checks that ids have no
/// gap, that each row's previous hash is the stored hash of the row before, that hash formats
/// never go back, and that the last row is the one the chain head records. Stops at the first
/// problem and names the row.
AuditVerification verify(const QSqlDatabase& database);

} // namespace AuditVerifier

} // namespace app
