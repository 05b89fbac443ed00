#pragma once

// Small helpers over Qt Sql for the audit store's own use (not part of its public API).

#include "AppResult.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

namespace app::AuditSql {

/// The SQLite error of `query` in a few words ("database is locked").
QString errorText(const QSqlQuery& query);

/// Runs one statement (QSQLITE runs only the first of several); fails with SQLite's error text.
Result<void> execute(const QSqlDatabase& database, const QString& statement);

/// Runs a statement that yields one value (a PRAGMA or an aggregate) and returns that value.
Result<QVariant> scalar(const QSqlDatabase& database, const QString& statement);

} // namespace app::AuditSql
