// Opening something that is not this build's audit trail fails with a message that says what is
// wrong and what to do, and leaves the file exactly as it was.

#include "audit/AuditStore.h"
#include "tst_audit_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace app;

namespace {

QByteArray contentsOf(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class AuditOpenTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

private slots:
    void aFileThatIsNotSqliteIsRefusedAndLeftAlone()
    {
        QString path = m_directory.filePath(QStringLiteral("notes.sqlite"));
        QByteArray notes = "Patient list, do not lose\n";
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QCOMPARE(file.write(notes), notes.size());
        }
        auto store = AuditStore::open(path);
        QVERIFY(!store);
        QVERIFY2(store.error().message.contains(path), qPrintable(store.error().message));
        QVERIFY(store.error().message.contains(QStringLiteral("not an Airlock audit trail")));
        QCOMPARE(contentsOf(path), notes);
        QVERIFY(!QFile::exists(path + QStringLiteral("-wal")));
    }

    void anotherProgramsDatabaseIsRefusedAndLeftAlone()
    {
        QString path = m_directory.filePath(QStringLiteral("other.sqlite"));
        {
            RawDatabase raw(path);
            QVERIFY(raw.exec(QStringLiteral("CREATE TABLE contacts (name TEXT)")));
            QVERIFY(raw.exec(QStringLiteral("INSERT INTO contacts VALUES ('Ada')")));
        }
        QByteArray before = contentsOf(path);
        auto store = AuditStore::open(path);
        QVERIFY(!store);
        QVERIFY2(store.error().message.contains(QStringLiteral("another program's database")),
            qPrintable(store.error().message));
        QCOMPARE(contentsOf(path), before);
    }

    void aNewerSchemaIsRefusedAndLeftAlone()
    {
        QString path = m_directory.filePath(QStringLiteral("newer.sqlite"));
        {
            auto store = AuditStore::open(path);
            QVERIFY(store);
            QVERIFY((*store)->append(AuditEvents::appStarted(QStringLiteral("0.1.0"))));
        }
        {
            RawDatabase raw(path);
            QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = 3")));
        }
        QByteArray before = contentsOf(path);
        auto store = AuditStore::open(path);
        QVERIFY(!store);
        QVERIFY2(store.error().message.contains(QStringLiteral("newer Airlock")),
            qPrintable(store.error().message));
        QVERIFY(store.error().message.contains(QStringLiteral("update Airlock")));
        QCOMPARE(contentsOf(path), before);
    }

    void anEmptyFileBecomesANewTrail()
    {
        // What a crash between creating the file and writing its first page leaves.
        QString path = m_directory.filePath(QStringLiteral("empty.sqlite"));
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        auto store = AuditStore::open(path);
        QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
        QVERIFY((*store)->append(AuditEvents::appStarted(QStringLiteral("0.1.0"))));
        QVERIFY((*store)->verify().intact);
    }

    void aFolderThatCannotBeCreatedIsReported()
    {
        QString blocker = m_directory.filePath(QStringLiteral("blocker"));
        {
            QFile file(blocker);
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        // A file where the folder should be.
        auto store = AuditStore::open(blocker + QStringLiteral("/airlock/audit.sqlite"));
        QVERIFY(!store);
        QVERIFY2(store.error().message.contains(QStringLiteral("could not be created")),
            qPrintable(store.error().message));
    }
};

QTEST_GUILESS_MAIN(AuditOpenTest)
#include "tst_audit_open.moc"
