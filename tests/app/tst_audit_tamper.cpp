// Tampering with the audit file outside Airlock (triggers dropped first, as anyone who can write
// the file can): a changed, deleted or inserted row, and rows cut off the end, are each found and
// the row is named.

#include "audit/AuditStore.h"
#include "tst_audit_support.h"

#include <QTemporaryDir>
#include <QTest>

using namespace app;

class AuditTamperTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;
    QString m_path;
    int m_files = 0;

    // The verdict of a store opened on the file after the tampering.
    AuditVerification verifyFile()
    {
        auto store = AuditStore::open(m_path);
        if (!store)
            return AuditVerification {false, 0, std::nullopt, store.error().message};
        return (*store)->verify();
    }

private slots:
    // One intact trail of 100 rows, written once (a hundred durable commits take a while).
    void initTestCase()
    {
        auto store = AuditStore::open(m_directory.filePath(QStringLiteral("intact.sqlite")));
        QVERIFY(store);
        QVERIFY(appendSamples(**store, 100));
        QVERIFY((*store)->verify().intact);
    }

    // Each case tampers with its own copy (the store checkpointed the log into the file on close).
    void init()
    {
        m_path = m_directory.filePath(QStringLiteral("trail-%1.sqlite").arg(++m_files));
        QVERIFY(QFile::copy(m_directory.filePath(QStringLiteral("intact.sqlite")), m_path));
        QVERIFY(verifyFile().intact);
    }

    void aChangedFieldIsFound()
    {
        {
            RawDatabase raw(m_path);
            QVERIFY(raw.dropTriggers());
            QVERIFY(raw.exec(
                QStringLiteral("UPDATE events SET user_name = 'someone-else' WHERE id = 50")));
        }
        AuditVerification verification = verifyFile();
        QVERIFY(!verification.intact);
        QCOMPARE(verification.firstBrokenRow, std::optional<qint64>(50));
        QVERIFY2(verification.problem.contains(QStringLiteral("Row 50")),
            qPrintable(verification.problem));
    }

    void aChangedRowWithARecomputedHashIsFound()
    {
        {
            RawDatabase raw(m_path);
            QVERIFY(raw.dropTriggers());
            QVERIFY(raw.exec(QStringLiteral(
                "UPDATE events SET details = '{\"state\":\"stopped\"}' WHERE id = 50")));
            QVERIFY(raw.rehash(50));
        }
        AuditVerification verification = verifyFile();
        QVERIFY(!verification.intact);
        QCOMPARE(verification.firstBrokenRow, std::optional<qint64>(50));
    }

    void aDeletedRowIsFound()
    {
        {
            RawDatabase raw(m_path);
            QVERIFY(raw.dropTriggers());
            QVERIFY(raw.exec(QStringLiteral("DELETE FROM events WHERE id = 50")));
        }
        AuditVerification verification = verifyFile();
        QVERIFY(!verification.intact);
        QCOMPARE(verification.firstBrokenRow, std::optional<qint64>(50));
        QVERIFY2(verification.problem.contains(QStringLiteral("deleted")),
            qPrintable(verification.problem));
        QCOMPARE(verification.rowsChecked, 50); // rows 1 to 49 and row 51, where the gap shows
    }

    void aDeletedRowWithTheRestRenumberedIsFound()
    {
        {
            RawDatabase raw(m_path);
            QVERIFY(raw.dropTriggers());
            QVERIFY(raw.exec(QStringLiteral("DELETE FROM events WHERE id = 50")));
            // Two steps, so that no two rows share an id on the way.
            QVERIFY(raw.exec(QStringLiteral("UPDATE events SET id = -id WHERE id > 50")));
            QVERIFY(raw.exec(QStringLiteral("UPDATE events SET id = -id - 1 WHERE id < 0")));
            QVERIFY(raw.exec(QStringLiteral("UPDATE chain_head SET last_id = 99")));
        }
        AuditVerification verification = verifyFile();
        QVERIFY(!verification.intact);
        QCOMPARE(verification.firstBrokenRow, std::optional<qint64>(50));
    }

    void aForgedRowInsertedInTheMiddleIsFound()
    {
        {
            RawDatabase raw(m_path);
            QVERIFY(raw.dropTriggers());
            QVERIFY(raw.exec(QStringLiteral("UPDATE events SET id = -id WHERE id >= 50")));
            QVERIFY(raw.exec(QStringLiteral("UPDATE events SET id = -id + 1 WHERE id < 0")));
            // A careful forger: the forged row links to row 49 and carries its own right hash.
            StoredRow forged = raw.row(49);
            forged.previousHash = raw.hashOf(49);
            forged.id = 50;
            forged.kind = QStringLiteral("export");
            forged.details = R"({"sha256":"00","sizeBytes":1})";
            QVERIFY(
                raw.exec(QStringLiteral("INSERT INTO events (id, time, user_name, host_name, "
                                        "session_id, kind, details, hash_format, prev_hash, hash) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?, 2, ?, ?)"),
                    {forged.id, forged.time, forged.user, forged.host, forged.sessionId,
                        forged.kind, QString::fromUtf8(forged.details), forged.previousHash,
                        documentedRowHash(2, forged)}));
        }
        AuditVerification verification = verifyFile();
        QVERIFY(!verification.intact);
        QCOMPARE(verification.firstBrokenRow, std::optional<qint64>(50));
        QVERIFY2(verification.problem.contains(QStringLiteral("inserted")),
            qPrintable(verification.problem));
    }

    void aRowAddedAtTheEndIsFound()
    {
        {
            RawDatabase raw(m_path);
            StoredRow forged = raw.row(100);
            forged.previousHash = raw.hashOf(100);
            forged.id = 101;
            QVERIFY(
                raw.exec(QStringLiteral("INSERT INTO events (id, time, user_name, host_name, "
                                        "session_id, kind, details, hash_format, prev_hash, hash) "
                                        "VALUES (?, ?, ?, ?, ?, ?, ?, 2, ?, ?)"),
                    {forged.id, forged.time, forged.user, forged.host, forged.sessionId,
                        forged.kind, QString::fromUtf8(forged.details), forged.previousHash,
                        documentedRowHash(2, forged)}));
        }
        AuditVerification verification = verifyFile();
        QVERIFY(!verification.intact);
        QCOMPARE(verification.firstBrokenRow, std::optional<qint64>(101));
        QVERIFY2(verification.problem.contains(QStringLiteral("added")),
            qPrintable(verification.problem));
    }

    void theLastRowsDeletedAreFound()
    {
        {
            RawDatabase raw(m_path);
            QVERIFY(raw.dropTriggers());
            QVERIFY(raw.exec(QStringLiteral("DELETE FROM events WHERE id > 97")));
        }
        AuditVerification verification = verifyFile();
        QVERIFY(!verification.intact);
        QCOMPARE(verification.firstBrokenRow, std::optional<qint64>(98));
        QVERIFY2(verification.problem.contains(QStringLiteral("98 to 100")),
            qPrintable(verification.problem));
    }

    void aChangedLastRowWithARecomputedHashIsFound()
    {
        {
            RawDatabase raw(m_path);
            QVERIFY(raw.dropTriggers());
            QVERIFY(raw.exec(
                QStringLiteral("UPDATE events SET session_id = 'session-x' WHERE id = 100")));
            QVERIFY(raw.rehash(100));
        }
        AuditVerification verification = verifyFile();
        QVERIFY(!verification.intact);
        QCOMPARE(verification.firstBrokenRow, std::optional<qint64>(100));
    }

    void aDeletedFirstRowIsFound()
    {
        {
            RawDatabase raw(m_path);
            QVERIFY(raw.dropTriggers());
            QVERIFY(raw.exec(QStringLiteral("DELETE FROM events WHERE id = 1")));
        }
        AuditVerification verification = verifyFile();
        QCOMPARE(verification.firstBrokenRow, std::optional<qint64>(1));
    }

    void aRowDowngradedToTheOldHashFormatIsFound()
    {
        {
            RawDatabase raw(m_path);
            QVERIFY(raw.dropTriggers());
            // Format 1 does not cover the host: a way to rewrite hosts, were it accepted.
            QVERIFY(raw.exec(QStringLiteral("UPDATE events SET hash_format = 1 WHERE id = 60")));
        }
        AuditVerification verification = verifyFile();
        QVERIFY(!verification.intact);
        QCOMPARE(verification.firstBrokenRow, std::optional<qint64>(60));
    }
};

QTEST_GUILESS_MAIN(AuditTamperTest)
#include "tst_audit_tamper.moc"
