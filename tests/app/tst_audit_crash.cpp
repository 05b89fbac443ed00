// kill -9 in the middle of 1,000 audit writes: the file passes SQLite's integrity check and chain
// verification, and every write that was acknowledged is there.

#include "audit/AuditStore.h"
#include "tst_audit_support.h"

#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace app;

class AuditCrashTest : public QObject {
    Q_OBJECT

private slots:
    void aKilledWriterLosesNoAcknowledgedEvent()
    {
        QTemporaryDir directory;
        QString path = directory.filePath(QStringLiteral("audit.sqlite"));
        QProcess writer;
        QByteArray output;
        QList<qint64> acknowledged;
        // Only whole lines count: a line cut short was not an acknowledgement.
        auto readAcks = [&] {
            output += writer.readAllStandardOutput();
            qsizetype end;
            while ((end = output.indexOf('\n')) >= 0) {
                QByteArray line = output.left(end);
                output.remove(0, end + 1);
                if (line.startsWith("ack "))
                    acknowledged << line.mid(4).toLongLong();
            }
        };
        connect(&writer, &QProcess::readyReadStandardOutput, this, readAcks);
        writer.start(QStringLiteral(AUDIT_WRITER_PATH), {path, QStringLiteral("1000")});
        QVERIFY2(writer.waitForStarted(), qPrintable(writer.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(
            acknowledged.size() >= 300 || writer.state() == QProcess::NotRunning, 30000);
        writer.kill();
        QVERIFY(writer.waitForFinished());
        readAcks();
        QVERIFY2(writer.exitStatus() == QProcess::CrashExit,
            qPrintable(QStringLiteral("the writer ended on its own before the kill: %1")
                           .arg(QString::fromLocal8Bit(writer.readAllStandardError()))));
        QVERIFY(acknowledged.size() >= 300);
        QVERIFY2(acknowledged.size() < 1000, "all 1,000 writes were done before the kill");
        qInfo("killed after %lld acknowledged writes", static_cast<long long>(acknowledged.size()));

        {
            RawDatabase raw(path);
            QCOMPARE(raw.scalar(QStringLiteral("PRAGMA integrity_check")).toString(),
                QStringLiteral("ok"));
        }
        auto store = AuditStore::open(path);
        QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
        AuditVerification verification = (*store)->verify();
        QVERIFY2(verification.intact, qPrintable(verification.problem));
        auto events = (*store)->events();
        QVERIFY(events);
        QSet<qint64> stored;
        for (const AuditEvent& event : *events)
            stored.insert(event.id);
        for (qint64 id : acknowledged)
            QVERIFY2(stored.contains(id),
                qPrintable(QStringLiteral("acknowledged row %1 is missing").arg(id)));
        // And the trail goes on from where the writer stopped.
        auto next = (*store)->append(AuditEvents::appStarted(QStringLiteral("0.1.0")));
        QVERIFY(next);
        QCOMPARE(next->id, events->size() + 1);
        QVERIFY((*store)->verify().intact);
    }
};

QTEST_GUILESS_MAIN(AuditCrashTest)
#include "tst_audit_crash.moc"
