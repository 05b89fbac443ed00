// airlockctl as a user runs it (a QProcess): help and usage errors with their exit statuses,
// `run` against the fake airlock-vmm (console on stdout, the command's exit status, the shred
// summary, the audit trail), `list`, `audit verify` on a good and on a tampered trail, `audit
// export --csv`, and `stop` saying where sessions live.

#include "tst_audit_support.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {
struct Outcome {
    int status = -1;
    QString out;
    QString err;
};
} // namespace

class AirlockctlTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;
    QString m_audit;
    QString m_sessionId;

    Outcome airlockctl(const QStringList& arguments)
    {
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert("AIRLOCK_VMM", AIRLOCK_FAKE_VMM);
        environment.insert("AIRLOCK_KERNEL", m_directory.filePath("bzImage"));
        environment.insert("AIRLOCK_INITRAMFS", m_directory.filePath("initramfs.cpio"));
        environment.insert("AIRLOCK_ENGINE_WRAPPER", ""); // the fake runs here, not in the lab
        environment.insert("XDG_RUNTIME_DIR", m_directory.path());
        process.setProcessEnvironment(environment);
        process.start(AIRLOCKCTL, arguments);
        process.waitForFinished(30000);
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromLocal8Bit(process.readAllStandardOutput()),
            QString::fromLocal8Bit(process.readAllStandardError())};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_directory.isValid());
        m_audit = m_directory.filePath("audit.sqlite");
        for (const char* name : {"bzImage", "initramfs.cpio"}) {
            QFile file(m_directory.filePath(name)); // the fake never reads them
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
    }

    void helpExitsZero()
    {
        Outcome help = airlockctl({"--help"});
        QCOMPARE(help.status, 0);
        QVERIFY(help.out.contains("Usage: airlockctl COMMAND"));
        QVERIFY(help.out.contains("audit verify"));
        Outcome runHelp = airlockctl({"run", "--help"});
        QCOMPARE(runHelp.status, 0);
        QVERIFY(runHelp.out.contains("--purpose"));
    }

    void usageErrorsExitTwoWithOneLine()
    {
        Outcome unknown = airlockctl({"frobnicate"});
        QCOMPARE(unknown.status, 2);
        QCOMPARE(unknown.err.count('\n'), 1);
        QVERIFY(unknown.err.contains("airlockctl --help"));
        Outcome noPurpose = airlockctl({"run", "--audit", m_audit, "--", "true"});
        QCOMPARE(noPurpose.status, 2);
        QVERIFY(noPurpose.err.contains("--purpose"));
        QVERIFY(!QFile::exists(m_audit)); // nothing was started or recorded
        Outcome badOption = airlockctl({"list", "--no-such-option"});
        QCOMPARE(badOption.status, 2);
    }

    void runStreamsTheConsoleAndExitsWithTheCommandsStatus()
    {
        Outcome run = airlockctl({"run", "--audit", m_audit, "--purpose",
            "Readmission review for study 12", "--cpus", "1", "--memory", "256", "--scratch", "256",
            "--", "fake-exit", "7", "hello", "from", "the", "guest"});
        QVERIFY2(run.status == 7, qPrintable(run.err));
        QVERIFY(run.out.contains("HELLO FROM THE GUEST"));
        QVERIFY2(run.err.contains("shredded"), qPrintable(run.err));
    }

    void listShowsTheSession()
    {
        Outcome list = airlockctl({"list", "--audit", m_audit});
        QCOMPARE(list.status, 0);
        QStringList lines = list.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines.first().startsWith("ID\tNAME\tSTARTED\tENDED\tSTATE\tPURPOSE"));
        QStringList columns = lines.at(1).split('\t');
        QCOMPARE(columns.size(), 6);
        QCOMPARE(columns.at(1), QStringLiteral("airlockctl fake-exit"));
        QVERIFY(columns.at(3) != "-"); // ended
        QCOMPARE(columns.at(5), QStringLiteral("Readmission review for study 12"));
        m_sessionId = columns.first();
    }

    void exportWritesTheSessionAsCsv()
    {
        QString csv = m_directory.filePath("record.csv");
        Outcome exported = airlockctl({"audit", "export", "--audit", m_audit, "--session",
            m_sessionId.left(8), "--csv", csv});
        QVERIFY2(exported.status == 0, qPrintable(exported.err));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray text = file.readAll();
        QVERIFY(text.contains("session-created"));
        QVERIFY(text.contains("shred-report"));
        QVERIFY(text.contains("Readmission review for study 12"));
        QVERIFY(!text.contains("HELLO FROM THE GUEST")); // never console text
        QString pdf = m_directory.filePath("record.pdf");
        Outcome printed = airlockctl(
            {"audit", "export", "--audit", m_audit, "--session", m_sessionId, "--pdf", pdf});
        QVERIFY2(printed.status == 0, qPrintable(printed.err));
        QFile pdfFile(pdf);
        QVERIFY(pdfFile.open(QIODevice::ReadOnly));
        QVERIFY(pdfFile.read(5) == "%PDF-");
        Outcome missing = airlockctl(
            {"audit", "export", "--audit", m_audit, "--session", "nosuch", "--csv", csv});
        QCOMPARE(missing.status, 1);
        QVERIFY(missing.err.contains("airlockctl list"));
    }

    void stopSaysWhereSessionsLive()
    {
        Outcome stop = airlockctl({"stop", "--audit", m_audit, m_sessionId});
        QCOMPARE(stop.status, 1);
        QVERIFY(stop.err.contains("already ended"));
        Outcome help = airlockctl({"stop", "--help"});
        QVERIFY(help.out.contains("process that started them"));
    }

    void verifyPassesAndThenFindsTheTamperedRow()
    {
        Outcome good = airlockctl({"audit", "verify", "--audit", m_audit});
        QVERIFY2(good.status == 0, qPrintable(good.err));
        QVERIFY(good.out.contains("intact"));
        {
            RawDatabase raw(m_audit);
            QVERIFY(raw.dropTriggers());
            QVERIFY(raw.exec("UPDATE events SET user_name = 'someone-else' WHERE id = 3"));
        }
        Outcome broken = airlockctl({"audit", "verify", "--audit", m_audit});
        QCOMPARE(broken.status, 1);
        QCOMPARE(broken.err.count('\n'), 1);
        QVERIFY2(broken.err.contains("broken at row 3"), qPrintable(broken.err));
        Outcome missing = airlockctl({"audit", "verify", "--audit", m_directory.filePath("none")});
        QCOMPARE(missing.status, 1);
        QVERIFY(missing.err.contains("--audit FILE"));
    }
};

QTEST_GUILESS_MAIN(AirlockctlTest)
#include "tst_airlockctl.moc"
