// The audit store: what is appended reads back, hashes chain, filters select, a fresh chain
// verifies, and the file is what DESIGN.md promises (WAL, append-only, in the user's data folder).

#include "audit/AuditEvents.h"
#include "audit/AuditStore.h"
#include "tst_audit_support.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace app;

class AuditStoreTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;
    int m_files = 0;

    QString newPath()
    {
        return m_directory.filePath(QStringLiteral("trail-%1.sqlite").arg(++m_files));
    }

    std::unique_ptr<AuditStore> openStore(const QString& path)
    {
        auto store = AuditStore::open(path);
        if (!store)
            qWarning() << store.error().message;
        return store ? std::move(*store) : nullptr;
    }

private slots:
    void appendedEventsReadBackWithTheirHashes()
    {
        QString path = newPath();
        auto store = openStore(path);
        QVERIFY(store);
        QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
        auto created = store->append(AuditEvents::sessionCreated(QStringLiteral("s-1"),
            QStringLiteral("Cohort study"), QStringLiteral("Readmission model, IRB 2024-17"),
            QStringLiteral("/bin/sh"), 2, 1024, 3600));
        QVERIFY2(created, qPrintable(created ? QString() : created.error().message));
        auto mounted = store->append(
            AuditEvents::datasetMounted(QStringLiteral("s-1"), QStringLiteral("cohort"),
                QStringLiteral("/data/cohort"), 123456789012, 4200, QString(64, QLatin1Char('c'))));
        QVERIFY(mounted);

        QCOMPARE(created->id, 1);
        QCOMPARE(mounted->id, 2);
        QCOMPARE(created->previousHash, QString(64, QLatin1Char('0')));
        QCOMPARE(mounted->previousHash, created->hash);
        QVERIFY(created->time >= before && created->time <= QDateTime::currentDateTimeUtc());
        QVERIFY(!created->user.isEmpty());
        QVERIFY(!created->host.isEmpty());

        auto events = store->events();
        QVERIFY(events);
        QCOMPARE(events->size(), 2);
        const AuditEvent& read = events->at(1);
        QCOMPARE(read.id, 2);
        QCOMPARE(read.kind, AuditEventKind::DatasetMounted);
        QCOMPARE(read.sessionId, QStringLiteral("s-1"));
        QCOMPARE(read.time, mounted->time);
        QCOMPARE(read.time.timeSpec(), Qt::UTC);
        QCOMPARE(read.user, mounted->user);
        QCOMPARE(read.host, mounted->host);
        QCOMPARE(read.hash, mounted->hash);
        QCOMPARE(read.details.value(QStringLiteral("sizeBytes")).toInteger(), 123456789012);
        QCOMPARE(read.details.value(QStringLiteral("manifestSha256")).toString(),
            QString(64, QLatin1Char('c')));
        QCOMPARE(events->at(0).details.value(QStringLiteral("purpose")).toString(),
            QStringLiteral("Readmission model, IRB 2024-17"));
    }

    void storedHashFollowsTheDocumentedEncoding()
    {
        QString path = newPath();
        auto store = openStore(path);
        QVERIFY(store);
        AuditEvent event =
            AuditEvents::sessionState(QStringLiteral("s-9"), QStringLiteral("running"));
        event.details.insert(QStringLiteral("\u00e4lpha"), QJsonArray {1, QStringLiteral("two")});
        event.details.insert(QStringLiteral("zeta"), true);
        event.details.insert(QStringLiteral("beta"), QStringLiteral("\"quoted\""));
        auto appended = store->append(event);
        QVERIFY(appended);

        RawDatabase raw(path);
        StoredRow row = raw.row(1);
        // Canonical details: compact, keys sorted.
        QCOMPARE(row.details,
            QByteArray("{\"beta\":\"\\\"quoted\\\"\",\"state\":\"running\",\"zeta\":true,"
                       "\"\u00e4lpha\":[1,\"two\"]}"));
        QCOMPARE(documentedRowHash(2, row), appended->hash);
        QCOMPARE(
            raw.scalar(QStringLiteral("SELECT hash_format FROM events WHERE id = 1")).toInt(), 2);
    }

    void filtersSelectBySessionDatasetUserTimeAndKind()
    {
        auto store = openStore(newPath());
        QVERIFY(store);
        QVERIFY(appendSamples(*store, 24));
        AuditEvent other =
            AuditEvents::sessionState(QStringLiteral("session-1"), QStringLiteral("paused"));
        other.user = QStringLiteral("auditor");
        other.time = QDateTime(QDate(2020, 1, 1), QTime(12, 0), Qt::UTC);
        QVERIFY(store->append(other));

        auto ids = [&](const AuditFilter& filter) {
            QList<qint64> result;
            QList<AuditEvent> events = store->events(filter).value();
            for (const AuditEvent& event : events)
                result << event.id;
            return result;
        };
        AuditFilter bySession;
        bySession.sessionId = QStringLiteral("session-1");
        QCOMPARE(ids(bySession), (QList<qint64> {2, 5, 8, 11, 14, 17, 20, 23, 25}));

        AuditFilter byDataset; // sample i mounts cohort-(i % 2) when i % 4 == 1: always cohort-1
        byDataset.dataset = QStringLiteral("cohort-1");
        QCOMPARE(ids(byDataset), (QList<qint64> {2, 6, 10, 14, 18, 22}));
        byDataset.dataset = QStringLiteral("cohort-0");
        QCOMPARE(ids(byDataset), QList<qint64> {});

        AuditFilter byUser;
        byUser.user = QStringLiteral("auditor");
        QCOMPARE(ids(byUser), QList<qint64> {25});

        AuditFilter byTime;
        byTime.until = QDateTime(QDate(2021, 1, 1), QTime(0, 0), Qt::UTC);
        QCOMPARE(ids(byTime), QList<qint64> {25});
        byTime.until = {};
        byTime.from = QDateTime(QDate(2021, 1, 1), QTime(0, 0), Qt::UTC);
        QCOMPARE(ids(byTime).size(), 24);

        AuditFilter byKinds;
        byKinds.kinds = {AuditEventKind::Export, AuditEventKind::EngineError};
        byKinds.sessionId = QStringLiteral("session-0");
        QCOMPARE(ids(byKinds), (QList<qint64> {4, 7, 16, 19}));
    }

    void aFreshChainOfAHundredRowsVerifies()
    {
        auto store = openStore(newPath());
        QVERIFY(store);
        AuditVerification empty = store->verify();
        QVERIFY2(empty.intact, qPrintable(empty.problem));
        QVERIFY(appendSamples(*store, 100));
        AuditVerification verification = store->verify();
        QVERIFY2(verification.intact, qPrintable(verification.problem));
        QCOMPARE(verification.rowsChecked, 100);
        QCOMPARE(verification.firstBrokenRow, std::nullopt);
        auto head = store->head();
        QVERIFY(head);
        QCOMPARE(head->lastId, 100);
        QCOMPARE(head->lastHash, store->events().value().last().hash);
    }

    void reopeningContinuesTheChain()
    {
        QString path = newPath();
        {
            auto store = openStore(path);
            QVERIFY(store);
            QVERIFY(appendSamples(*store, 3));
        }
        auto store = openStore(path);
        QVERIFY(store);
        auto appended = store->append(AuditEvents::appStarted(QStringLiteral("0.1.0")));
        QVERIFY(appended);
        QCOMPARE(appended->id, 4);
        QCOMPARE(appended->previousHash, store->events().value().at(2).hash);
        QVERIFY(store->verify().intact);
    }

    void twoWritersOnOneFileKeepOneChain()
    {
        // The app and airlockctl may both append: each reads the head inside its own write lock.
        QString path = newPath();
        auto first = openStore(path);
        auto second = openStore(path);
        QVERIFY(first && second);
        for (int round = 0; round < 5; ++round) {
            QVERIFY(first->append(sampleEvent(round)));
            QVERIFY(second->append(sampleEvent(round)));
        }
        auto events = first->events();
        QVERIFY(events);
        QCOMPARE(events->size(), 10);
        QCOMPARE(events->last().id, qint64(10));
        AuditVerification verification = second->verify();
        QVERIFY2(verification.intact, qPrintable(verification.problem));
    }

    void theFileIsWalAndAppendOnly()
    {
        QString path = newPath();
        auto store = openStore(path);
        QVERIFY(store);
        QVERIFY(appendSamples(*store, 2));
        RawDatabase raw(path);
        QCOMPARE(
            raw.scalar(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));
        QVERIFY(!raw.exec(QStringLiteral("UPDATE events SET user_name = 'someone' WHERE id = 1")));
        QVERIFY(raw.lastError().contains(QStringLiteral("append-only")));
        QVERIFY(!raw.exec(QStringLiteral("DELETE FROM events WHERE id = 2")));
        QVERIFY(!raw.exec(QStringLiteral("DELETE FROM chain_head")));
        QVERIFY(!raw.exec(QStringLiteral("UPDATE chain_head SET last_id = 1")));
        QCOMPARE(store->events().value().size(), 2);
        QVERIFY(store->verify().intact);
    }

    void sessionsAreSummarized()
    {
        auto store = openStore(newPath());
        QVERIFY(store);
        QVERIFY(store->append(AuditEvents::appStarted(QStringLiteral("0.1.0"))));
        QVERIFY(store->append(
            AuditEvents::sessionCreated(QStringLiteral("s-1"), QStringLiteral("Study"),
                QStringLiteral("Model training"), QStringLiteral("/bin/sh"), 2, 512, 600)));
        QVERIFY(store->append(
            AuditEvents::datasetMounted(QStringLiteral("s-1"), QStringLiteral("cohort"),
                QStringLiteral("/data/cohort"), 10, 1, QString(64, QLatin1Char('d')))));
        QVERIFY(store->append(
            AuditEvents::sessionCreated(QStringLiteral("s-2"), QStringLiteral("Other"),
                QStringLiteral("Quality check"), QStringLiteral("/bin/sh"), 1, 256, 60)));
        QVERIFY(
            store->append(AuditEvents::exported(QStringLiteral("s-1"), QStringLiteral("/outbox/a"),
                QStringLiteral("/home/a"), 5, QString(64, QLatin1Char('e')))));
        QVERIFY(store->append(
            AuditEvents::sessionEnded(QStringLiteral("s-1"), 0, QStringLiteral("guest exited"))));
        QVERIFY(store->append(
            AuditEvents::shredReport(QStringLiteral("s-1"), {{QStringLiteral("verified"), true}})));

        auto sessions = store->sessions();
        QVERIFY(sessions);
        QCOMPARE(sessions->size(), 2);
        const AuditSessionSummary& first = sessions->at(0);
        QCOMPARE(first.sessionId, QStringLiteral("s-1"));
        QCOMPARE(first.name, QStringLiteral("Study"));
        QCOMPARE(first.purpose, QStringLiteral("Model training"));
        QCOMPARE(first.datasets, QStringList {QStringLiteral("cohort")});
        QCOMPARE(first.exportCount, 1);
        QCOMPARE(first.exitStatus, 0);
        QVERIFY(first.ended.isValid());
        QVERIFY(first.shredded);
        QCOMPARE(first.eventCount, 5);
        QCOMPARE(sessions->at(1).sessionId, QStringLiteral("s-2"));
        QVERIFY(!sessions->at(1).ended.isValid());
    }

    void defaultPathIsInTheUsersDataFolder()
    {
        QByteArray saved = qgetenv("XDG_DATA_HOME");
        qputenv("XDG_DATA_HOME", m_directory.path().toUtf8());
        QString path = AuditStore::defaultPath();
        qputenv("XDG_DATA_HOME", saved);
        QCOMPARE(path, m_directory.path() + QStringLiteral("/airlock/audit.sqlite"));
    }

    void openCreatesMissingFolders()
    {
        QString path = m_directory.filePath(QStringLiteral("deep/er/audit.sqlite"));
        auto store = openStore(path);
        QVERIFY(store);
        QVERIFY(QFileInfo::exists(path));
        QVERIFY(store->append(AuditEvents::appStarted(QStringLiteral("0.1.0"))));
    }

    void anEventWithoutAKnownKindIsRefused()
    {
        auto store = openStore(newPath());
        QVERIFY(store);
        AuditEvent event;
        event.kind = AuditEventKind::Unknown;
        QVERIFY(!store->append(event));
        QCOMPARE(store->events().value().size(), 0);
    }
};

QTEST_GUILESS_MAIN(AuditStoreTest)
#include "tst_audit_store.moc"
