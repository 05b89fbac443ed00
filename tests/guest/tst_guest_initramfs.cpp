// The guest initramfs as the kernel will unpack it: without /init, a shell or /dev/console the
// guest does not boot to a session; without the display tools' links a session cannot draw. Read
// with cpio(1), independent of the script that wrote it.

#include <QFile>
#include <QProcess>
#include <QTest>

class GuestInitramfsTest : public QObject {
    Q_OBJECT

private:
    QString m_listing; // `cpio -itv` output, one entry a line

    QString entry(const QString& name) const
    {
        for (const QString& line : m_listing.split('\n')) {
            if (line.endsWith(' ' + name) || line.contains(' ' + name + " -> "))
                return line;
        }
        return {};
    }

private slots:
    void initTestCase()
    {
        const QString path = QStringLiteral(AIRLOCK_GUEST_INITRAMFS);
        QVERIFY2(QFile::exists(path), "no guest initramfs: build the airlock-initramfs target");
        QProcess cpio;
        cpio.setStandardInputFile(path);
        cpio.start("cpio", {"-itv", "--quiet"});
        QVERIFY2(cpio.waitForFinished(30000), "cpio did not finish");
        QCOMPARE(cpio.exitCode(), 0);
        m_listing = QString::fromUtf8(cpio.readAllStandardOutput());
    }

    void hasInitAndBusybox()
    {
        QVERIFY2(entry("init").startsWith("-rwxr-xr-x"), qPrintable(entry("init")));
        QVERIFY2(entry("bin/busybox").startsWith("-rwxr-xr-x"), qPrintable(entry("bin/busybox")));
        QVERIFY2(entry("bin/sh").endsWith("bin/sh -> /bin/busybox"), qPrintable(entry("bin/sh")));
        QVERIFY2(
            entry("sbin/poweroff").endsWith("-> /bin/busybox"), qPrintable(entry("sbin/poweroff")));
    }

    void hasDisplayToolsLinkedToInit()
    {
        // airlock-guest picks the tool by the name it is called by; each link must lead to it.
        for (const char* tool :
            {"airlock-fb-pattern", "airlock-fb-animate", "airlock-input-events"}) {
            QString line = entry(QStringLiteral("bin/") + tool);
            QVERIFY2(
                line.startsWith('l') && line.endsWith(QStringLiteral("bin/") + tool + " -> /init"),
                qPrintable(QString(tool) + ": " + line));
        }
    }

    void hasConsoleDevice()
    {
        QString console = entry("dev/console");
        QVERIFY2(
            console.startsWith("crw-------") && console.contains("5,   1"), qPrintable(console));
    }

    void hasMountPointsOwnedByRoot()
    {
        for (const char* directory : {"proc", "sys", "dev", "tmp", "run", "root", "etc", "mnt",
                 "datasets", "work", "outbox"}) {
            QString line = entry(directory);
            QVERIFY2(line.startsWith('d') && line.contains(" root     root "),
                qPrintable(QString(directory) + ": " + line));
        }
        QVERIFY(entry("etc/passwd").startsWith("-rw-r--r--"));
    }
};

QTEST_GUILESS_MAIN(GuestInitramfsTest)

#include "tst_guest_initramfs.moc"
