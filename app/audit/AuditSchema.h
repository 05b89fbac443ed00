#pragma once

#include "AppResult.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace app {

/// The audit database's versioned schema (PRAGMA user_version) and its migrations.
///
/// Version 1: the events table (no host), the chain head, append-only triggers.
/// Version 2: a host_name column and a per-row hash_format (rows from version 1 keep format 1,
/// which does not cover the host), and indexes on (session, time) and time for the audit view's
/// filters.
namespace AuditSchema {

/// The schema version this build writes and the newest it can read.
inline constexpr int kCurrentVersion = 2;

/// PRAGMA application_id of an Airlock audit database: "ARLK".
inline constexpr qint64 kApplicationId = 0x41524c4b;

/// The statements that bring a database from version `targetVersion - 1` to `targetVersion`.
QStringList migrationStatements(int targetVersion);

/// Reads the schema version of `database` (0: a new, empty database). Fails, changing nothing,
/// when it is another program's database or newer than this build; `path` is for the message.
Result<int> readVersion(const QSqlDatabase& database, const QString& path);

/// Migrates `database` from `fromVersion` to kCurrentVersion, one transaction per step, each
/// setting user_version as it commits.
Result<void> migrate(const QSqlDatabase& database, int fromVersion, const QString& path);

} // namespace AuditSchema

} // namespace app
