// A trail written by schema version 1 (no host column, rows hashed in format 1) opens in this
// build: it is migrated to version 2 in place, its rows and chain survive, and new rows continue
// the chain in format 2.

#include "audit/AuditStore.h"
#include "tst_audit_support.h"

#include <QTemporaryDir>
#include <QTest>

using namespace app;

namespace {

// Version 1 as it shipped, written out here rather than taken from the library: the test must
// notice if the library's idea of version 1 drifts from what users have on disk.
const QStringList kVersion1Schema {
    QStringLiteral("PRAGMA application_id = 1095912523"),
    QStringLiteral("CREATE TABLE events (id INTEGER PRIMARY KEY, time TEXT NOT NULL, "
                   "user_name TEXT NOT NULL, session_id TEXT NOT NULL, kind TEXT NOT NULL, "
                   "details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"),
    QStringLiteral("CREATE TABLE chain_head (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), "
                   "last_id INTEGER NOT NULL, last_hash TEXT NOT NULL)"),
    QStringLiteral("CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT "
                   "RAISE(ABORT, 'audit events are append-only'); END"),
    QStringLiteral("CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT "
                   "RAISE(ABORT, 'audit events are append-only'); END"),
    QStringLiteral("CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON chain_head BEGIN SELECT "
                   "RAISE(ABORT, 'the audit chain head cannot be removed'); END"),
    QStringLiteral("CREATE TRIGGER chain_head_forward_only BEFORE UPDATE ON chain_head WHEN "
                   "NEW.last_id <> OLD.last_id + 1 BEGIN SELECT RAISE(ABORT, 'the audit chain "
                   "head only moves forward'); END"),
    QStringLiteral("CREATE INDEX events_session ON events(session_id)"),
    QStringLiteral("PRAGMA user_version = 1"),
};

// Writes a version-1 trail of `count` rows the way version 1 did; returns the last hash.
QString writeVersion1Trail(const QString& path, int count)
{
    RawDatabase raw(path);
    for (const QString& statement : kVersion1Schema) {
        if (!raw.exec(statement))
            return {};
    }
    QString previous(64, QLatin1Char('0'));
    for (int id = 1; id <= count; ++id) {
        StoredRow row;
        row.previousHash = previous;
        row.id = id;
        row.time = QStringLiteral("2023-03-0%1T10:00:00.000Z").arg(id);
        row.user = QStringLiteral("clinician");
        row.sessionId = id == 1 ? QString() : QStringLiteral("s-old");
        row.kind = id == 1 ? QStringLiteral("app-started") : QStringLiteral("session-state");
        row.details =
            id == 1 ? QByteArray(R"({"version":"0.0.9"})") : QByteArray(R"({"state":"running"})");
        QString hash = documentedRowHash(1, row);
        if (!raw.exec(QStringLiteral("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                {row.id, row.time, row.user,
                    row.sessionId.isNull() ? QStringLiteral("") : row.sessionId, row.kind,
                    QString::fromUtf8(row.details), row.previousHash, hash}) ||
            !raw.exec(QStringLiteral("INSERT INTO chain_head VALUES (1, ?, ?) ON CONFLICT "
                                     "(singleton) DO UPDATE SET last_id = excluded.last_id, "
                                     "last_hash = excluded.last_hash"),
                {row.id, hash}))
            return {};
        previous = hash;
    }
    return previous;
}

} // namespace

class AuditMigrationTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

private slots:
    void aVersion1TrailIsMigratedWithItsChainIntact()
    {
        QString path = m_directory.filePath(QStringLiteral("v1.sqlite"));
        QString lastVersion1Hash = writeVersion1Trail(path, 5);
        QVERIFY(!lastVersion1Hash.isEmpty());

        auto opened = AuditStore::open(path);
        QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().message));
        AuditStore& store = **opened;

        auto events = store.events();
        QVERIFY(events);
        QCOMPARE(events->size(), 5);
        QCOMPARE(events->at(0).kind, AuditEventKind::AppStarted);
        QCOMPARE(events->at(0).details.value(QStringLiteral("version")).toString(),
            QStringLiteral("0.0.9"));
        QCOMPARE(events->at(3).sessionId, QStringLiteral("s-old"));
        QCOMPARE(events->at(3).user, QStringLiteral("clinician"));
        QCOMPARE(events->at(3).time, QDateTime(QDate(2023, 3, 4), QTime(10, 0), Qt::UTC));
        QCOMPARE(events->at(3).host, QString());
        QCOMPARE(events->at(4).hash, lastVersion1Hash);

        AuditVerification migrated = store.verify();
        QVERIFY2(migrated.intact, qPrintable(migrated.problem));
        QCOMPARE(migrated.rowsChecked, 5);

        auto appended = store.append(AuditEvents::appStarted(QStringLiteral("0.1.0")));
        QVERIFY(appended);
        QCOMPARE(appended->id, qint64(6));
        QCOMPARE(appended->previousHash, lastVersion1Hash);
        QVERIFY(!appended->host.isEmpty());
        AuditVerification continued = store.verify();
        QVERIFY2(continued.intact, qPrintable(continued.problem));
        QCOMPARE(continued.rowsChecked, 6);

        RawDatabase raw(path);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), 2);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT group_concat(hash_format, ',') FROM "
                                           "(SELECT hash_format FROM events ORDER BY id)"))
                     .toString(),
            QStringLiteral("1,1,1,1,1,2"));
        QCOMPARE(
            raw.scalar(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                      "AND name IN ('events_session_time', 'events_time')"))
                .toInt(),
            2);
        // The triggers came through: the migrated rows are still append-only.
        QVERIFY(!raw.exec(QStringLiteral("DELETE FROM events WHERE id = 2")));
    }

    void aMigratedRowChangedLaterIsStillFound()
    {
        QString path = m_directory.filePath(QStringLiteral("v1-tampered.sqlite"));
        QVERIFY(!writeVersion1Trail(path, 5).isEmpty());
        QVERIFY(AuditStore::open(path));
        {
            RawDatabase raw(path);
            QVERIFY(raw.exec(QStringLiteral("DROP TRIGGER events_no_update")));
            QVERIFY(raw.exec(QStringLiteral("UPDATE events SET user_name = 'other' WHERE id = 3")));
        }
        auto store = AuditStore::open(path);
        QVERIFY(store);
        QCOMPARE((*store)->verify().firstBrokenRow, std::optional<qint64>(3));
    }

    void aHostWrittenIntoAVersion1RowIsFound()
    {
        // Format 1 does not cover the host; version-1 rows had none, so one there is an edit.
        QString path = m_directory.filePath(QStringLiteral("v1-host.sqlite"));
        QVERIFY(!writeVersion1Trail(path, 5).isEmpty());
        QVERIFY(AuditStore::open(path));
        {
            RawDatabase raw(path);
            QVERIFY(raw.exec(QStringLiteral("DROP TRIGGER events_no_update")));
            QVERIFY(
                raw.exec(QStringLiteral("UPDATE events SET host_name = 'elsewhere' WHERE id = 4")));
        }
        auto store = AuditStore::open(path);
        QVERIFY(store);
        QCOMPARE((*store)->verify().firstBrokenRow, std::optional<qint64>(4));
    }
};

QTEST_GUILESS_MAIN(AuditMigrationTest)
#include "tst_audit_migration.moc"
