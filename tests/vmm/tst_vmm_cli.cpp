// airlock-vmm as a user meets it when something is wrong: each mistake gives exit status 1 or 2
// and one line that says what is wrong and what to do. No KVM needed.

#include "TestHelpers.h"
#include "VmmRun.h"

#include <QTemporaryDir>
#include <QTest>

#include <asm/bootparam.h>

#include <cstring>

class VmmCliTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

    // A file that passes the bzImage checks (the VM is never started in these tests).
    QString writeValidKernel()
    {
        setup_header header {};
        header.setup_sects = 4;
        header.boot_flag = 0xaa55;
        header.header = 0x53726448;
        header.version = 0x020f;
        header.loadflags = LOADED_HIGH;
        header.xloadflags = XLF_KERNEL_64;
        header.cmdline_size = 2047;
        header.initrd_addr_max = 0x7fffffff;
        std::vector<uint8_t> image = syntheticBzImage(header, 16 * 1024 - 5 * 512);
        return writeFile("bzImage", QByteArray(reinterpret_cast<const char*>(image.data()),
                                        static_cast<qsizetype>(image.size())));
    }
    QString writeFile(const QString& name, const QByteArray& bytes)
    {
        return writeTestFile(m_directory, name, bytes);
    }
    static VmmRunResult vmm(const QStringList& arguments)
    {
        return runVmm(QStringLiteral(AIRLOCK_VMM), arguments, {}, 30000);
    }

private slots:
    void missingKvmIsExplained()
    {
        VmmRunResult run = vmm({ "--kernel", writeValidKernel(), "--kvm", "/nonexistent/kvm" });
        QVERIFY2(run.finished && run.exitCode == 1, describe(run).constData());
        QVERIFY2(run.standardError.contains("KVM is not available"), describe(run).constData());
        QVERIFY2(run.standardError.contains("tests/lab/run"), describe(run).constData());
    }

    void missingKernelIsExplained()
    {
        VmmRunResult run = vmm({ "--kernel", "/nonexistent/bzImage" });
        QVERIFY2(run.finished && run.exitCode == 1, describe(run).constData());
        QVERIFY2(run.standardError.contains("'/nonexistent/bzImage' does not exist"), describe(run).constData());
    }

    void nonKernelFileIsExplained()
    {
        QString path = writeFile("notes.txt", QByteArray(8192, 'x'));
        VmmRunResult run = vmm({ "--kernel", path });
        QVERIFY2(run.finished && run.exitCode == 1, describe(run).constData());
        QVERIFY2(run.standardError.contains("is not a Linux x86 bzImage"), describe(run).constData());
    }

    void missingInitramfsIsExplained()
    {
        VmmRunResult run = vmm({ "--kernel", writeValidKernel(), "--initramfs", "/nonexistent/initramfs" });
        QVERIFY2(run.finished && run.exitCode == 1, describe(run).constData());
        QVERIFY2(run.standardError.contains("/nonexistent/initramfs"), describe(run).constData());
    }

    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("unknown option") << QStringList { "--frobnicate" } << QByteArray("unknown option");
        QTest::newRow("missing value") << QStringList { "--kernel" } << QByteArray("needs a value");
        QTest::newRow("no kernel") << QStringList {} << QByteArray("no kernel given");
        QTest::newRow("bad memory") << QStringList { "--kernel", "k", "--memory", "lots" } << QByteArray("not a size");
    }
    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, message);
        VmmRunResult run = vmm(arguments);
        QVERIFY2(run.finished && run.exitCode == 2, describe(run).constData());
        QVERIFY2(run.standardError.contains(message), describe(run).constData());
        QVERIFY2(run.standardError.contains("airlock-vmm --help"), describe(run).constData());
    }

    void helpDescribesExitStatus()
    {
        VmmRunResult run = vmm({ "--help" });
        QVERIFY2(run.finished && run.exitCode == 0, describe(run).constData());
        QVERIFY(run.standardOutput.contains("Usage: airlock-vmm"));
        QVERIFY(run.standardOutput.contains("Exit status"));
    }
};

QTEST_GUILESS_MAIN(VmmCliTest)
#include "tst_vmm_cli.moc"
