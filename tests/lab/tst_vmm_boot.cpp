// Lab tests: airlock-vmm boots the real guest kernel and initramfs under real KVM.
// Outside the KVM lab (no /dev/kvm) the whole test exits 77, which CTest reports as skipped.

#include "LabTestMain.h"
#include "VmmRun.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>


static const QByteArray kReadyLine = "airlock-guest: ready";

class VmmBootTest : public QObject {
    Q_OBJECT

private:
    QStringList baseArguments() const
    {
        return { "--kernel", QStringLiteral(AIRLOCK_GUEST_KERNEL), "--initramfs",
            QStringLiteral(AIRLOCK_GUEST_INITRAMFS) };
    }
    VmmRunResult boot(const QStringList& extra, const QByteArray& input = {})
    {
        return runVmm(QStringLiteral(AIRLOCK_VMM), baseArguments() + extra, input);
    }

private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_KERNEL)),
            "no guest kernel: configure with -DAIRLOCK_GUEST_KERNEL=$(packaging/guest/build-kernel.sh)");
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_INITRAMFS)), "no guest initramfs: build the airlock-initramfs target");
    }

    void bootsToReadinessAndExitsZero()
    {
        VmmRunResult run = boot({ "--", "true" });
        QVERIFY2(run.finished, describe(run).constData());
        QVERIFY2(run.standardOutput.contains(kReadyLine), describe(run).constData());
        QCOMPARE(run.exitCode, 0);
    }

    void poweroffAndRebootExitZero_data()
    {
        QTest::addColumn<QString>("command");
        QTest::newRow("poweroff") << "poweroff";
        QTest::newRow("reboot") << "reboot";
    }
    void poweroffAndRebootExitZero()
    {
        QFETCH(QString, command);
        VmmRunResult run = boot({ "--", "sh", "-c", command + "; sleep 60" });
        QVERIFY2(run.finished, describe(run).constData());
        QVERIFY2(run.exitCode == 0, describe(run).constData());
    }

    void guestSeesEveryVcpu()
    {
        VmmRunResult run = boot({ "--cpus", "2", "--", "sh", "-c", "echo cpus=$(grep -c ^processor /proc/cpuinfo)" });
        QVERIFY2(run.finished && run.exitCode == 0, describe(run).constData());
        QVERIFY2(run.standardOutput.contains("cpus=2"), describe(run).constData());
    }

    void guestSeesItsMemorySize()
    {
        VmmRunResult run = boot({ "--memory", "256M", "--", "grep", "MemTotal", "/proc/meminfo" });
        QVERIFY2(run.finished && run.exitCode == 0, describe(run).constData());
        QRegularExpression pattern("MemTotal:\\s+(\\d+) kB");
        auto match = pattern.match(QString::fromUtf8(run.standardOutput));
        QVERIFY2(match.hasMatch(), describe(run).constData());
        qint64 kib = match.captured(1).toLongLong();
        // The kernel keeps some memory for itself: what is left must be most of 256 MiB, not more.
        QVERIFY2(kib > 200 * 1024 && kib <= 256 * 1024, qPrintable(QString("MemTotal %1 kB").arg(kib)));
    }

    void commandLineReachesGuest()
    {
        VmmRunResult run = boot({ "--cmdline", "airlock.test=hello-42", "--", "cat", "/proc/cmdline" });
        QVERIFY2(run.finished && run.exitCode == 0, describe(run).constData());
        QVERIFY2(run.standardOutput.contains("airlock.test=hello-42"), describe(run).constData());
    }

    void commandArgumentsArriveIntact()
    {
        // No double quotes: the kernel command line cannot carry them. With IFS empty, $@ unquoted
        // still gives one field per argument.
        VmmRunResult run = boot({ "--", "sh", "-c", "IFS=; printf '<%s>' $@", "sh", "two words", "x=1" });
        QVERIFY2(run.finished && run.exitCode == 0, describe(run).constData());
        QVERIFY2(run.standardOutput.contains("<two words><x=1>"), describe(run).constData());
    }

    void exitStatusReachesHost()
    {
        VmmRunResult run = boot({ "--", "sh", "-c", "exit 42" });
        QVERIFY2(run.finished, describe(run).constData());
        QCOMPARE(run.exitCode, 42);
    }

    void consoleInputReachesGuest()
    {
        VmmRunResult run = boot({ "--", "sh", "-c", "read line; echo got:$line" }, "hello-console\n");
        QVERIFY2(run.finished && run.exitCode == 0, describe(run).constData());
        QVERIFY2(run.standardOutput.contains("got:hello-console"), describe(run).constData());
    }

    void configFileBoots()
    {
        QTemporaryDir directory;
        QFile config(directory.filePath("machine.json"));
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(QStringLiteral(R"({"kernel": "%1", "initramfs": "%2", "memory": "128M", "vcpus": 1,
            "command": ["sh", "-c", "exit 7"]})")
                         .arg(QStringLiteral(AIRLOCK_GUEST_KERNEL), QStringLiteral(AIRLOCK_GUEST_INITRAMFS))
                         .toUtf8());
        config.close();
        VmmRunResult run = runVmm(QStringLiteral(AIRLOCK_VMM), { "--config", config.fileName() });
        QVERIFY2(run.finished, describe(run).constData());
        QCOMPARE(run.exitCode, 7);
    }

    void guestPanicGivesNonZeroExit()
    {
        // No init at that path: the kernel panics ("No working init found").
        VmmRunResult run = boot({ "--cmdline", "rdinit=/no/such/init" });
        QVERIFY2(run.finished, describe(run).constData());
        QVERIFY2(run.exitCode == 125, describe(run).constData());
        QVERIFY2(run.standardError.contains("guest kernel panic"), describe(run).constData());
    }
};

AIRLOCK_LAB_TEST_MAIN(VmmBootTest)

#include "tst_vmm_boot.moc"
