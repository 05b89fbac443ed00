#include "audit/AuditSchema.h"

#include "audit/AuditSql.h"
#include "audit/AuditTransaction.h"

#include <QCoreApplication>
#include <QVariant>

namespace app::AuditSchema {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("app::AuditSchema", text);
}

// Version 1 as it was released; a version-1 database is exactly what these statements make.
QStringList version1()
{
    return {
        QStringLiteral("PRAGMA application_id = %1").arg(kApplicationId),
        QStringLiteral("CREATE TABLE events ("
                       " id INTEGER PRIMARY KEY,"
                       " time TEXT NOT NULL,"
                       " user_name TEXT NOT NULL,"
                       " session_id TEXT NOT NULL,"
                       " kind TEXT NOT NULL,"
                       " details TEXT NOT NULL,"
                       " prev_hash TEXT NOT NULL,"
                       " hash TEXT NOT NULL)"),
        // The last row's id and hash, so that deleting the last rows breaks the chain too.
        QStringLiteral("CREATE TABLE chain_head ("
                       " singleton INTEGER PRIMARY KEY CHECK (singleton = 1),"
                       " last_id INTEGER NOT NULL,"
                       " last_hash TEXT NOT NULL)"),
        // Append-only against mistakes and casual edits; the verifier still re-hashes every row,
        // since whoever can write the file can drop these.
        QStringLiteral("CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
                       " BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"),
        QStringLiteral("CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
                       " BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"),
        QStringLiteral("CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON chain_head"
                       " BEGIN SELECT RAISE(ABORT, 'the audit chain head cannot be removed'); END"),
        QStringLiteral(
            "CREATE TRIGGER chain_head_forward_only BEFORE UPDATE ON chain_head"
            " WHEN NEW.last_id <> OLD.last_id + 1"
            " BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward'); END"),
        QStringLiteral("CREATE INDEX events_session ON events(session_id)"),
    };
}

QStringList version2()
{
    return {
        // ADD COLUMN fills old rows with the default without an UPDATE, so the append-only
        // triggers stay in place and the version-1 rows keep their bytes and hashes.
        QStringLiteral("ALTER TABLE events ADD COLUMN host_name TEXT NOT NULL DEFAULT ''"),
        QStringLiteral("ALTER TABLE events ADD COLUMN hash_format INTEGER NOT NULL DEFAULT 1"),
        QStringLiteral("DROP INDEX events_session"),
        QStringLiteral("CREATE INDEX events_session_time ON events(session_id, time)"),
        QStringLiteral("CREATE INDEX events_time ON events(time)"),
    };
}

} // namespace

QStringList migrationStatements(int targetVersion)
{
    switch (targetVersion) {
    case 1:
        return version1();
    case 2:
        return version2();
    default:
        return {};
    }
}

Result<int> readVersion(const QSqlDatabase& database, const QString& path)
{
    auto unreadable = [&](const AppError& error) {
        return failure(tr("%1 is not an Airlock audit trail or cannot be read (%2). Choose another "
                          "file, or move this one away so that Airlock starts a new trail.")
                           .arg(path, error.message));
    };
    auto applicationId = AuditSql::scalar(database, QStringLiteral("PRAGMA application_id"));
    if (!applicationId)
        return unreadable(applicationId.error());
    auto version = AuditSql::scalar(database, QStringLiteral("PRAGMA user_version"));
    if (!version)
        return unreadable(version.error());
    auto objects = AuditSql::scalar(database, QStringLiteral("SELECT count(*) FROM sqlite_master"));
    if (!objects)
        return unreadable(objects.error());

    if (applicationId->toLongLong() == 0 && objects->toLongLong() == 0 && version->toInt() == 0)
        return 0;
    if (applicationId->toLongLong() != kApplicationId) {
        return failure(tr("%1 is another program's database, not an Airlock audit trail. Airlock "
                          "left it unchanged; choose another file for the audit trail.")
                           .arg(path));
    }
    int schemaVersion = version->toInt();
    if (schemaVersion > kCurrentVersion) {
        return failure(tr("The audit trail %1 was written by a newer Airlock (schema version %2; "
                          "this one reads up to version %3). Airlock left it unchanged; update "
                          "Airlock to open it.")
                           .arg(path)
                           .arg(schemaVersion)
                           .arg(kCurrentVersion));
    }
    if (schemaVersion < 1) {
        return failure(tr("The audit trail %1 is incomplete (it has no schema version). Airlock "
                          "left it unchanged; move it away so that Airlock starts a new trail.")
                           .arg(path));
    }
    return schemaVersion;
}

Result<void> migrate(const QSqlDatabase& database, int fromVersion, const QString& path)
{
    for (int target = fromVersion + 1; target <= kCurrentVersion; ++target) {
        auto step = [&]() -> Result<void> {
            auto transaction = APP_TRY(AuditTransaction::begin(database));
            QStringList statements = migrationStatements(target);
            statements << QStringLiteral("PRAGMA user_version = %1").arg(target);
            for (const QString& statement : statements) {
                if (auto done = AuditSql::execute(database, statement); !done)
                    return done;
            }
            return transaction.commit();
        }();
        if (!step) {
            return failure(tr("The audit trail %1 could not be brought to schema version %2 (%3). "
                              "It is unchanged; check that the disk has space and the file is "
                              "writable, then start Airlock again.")
                               .arg(path)
                               .arg(target)
                               .arg(step.error().message));
        }
    }
    return {};
}

} // namespace app::AuditSchema
