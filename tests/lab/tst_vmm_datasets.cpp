// Lab tests: datasets reach the guest read-only and unchanged (DESIGN.md §Datasets). The host
// makes a tree, airlock-vmm shows it as a synthesized EROFS disk, and the guest reads it back.
// The guest's scripts travel in a second dataset ("tools"): the kernel command line cannot carry
// the quotes they need.

#include "LabTestMain.h"
#include "tst_vmm_datasets_scripts.h"
#include "VmmRun.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QMap>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

namespace {

QByteArray sha256Hex(const QByteArray& bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// "./relative/path" → SHA-256 of every regular file under `root`, symlinks not followed, in the
// form sha256sum prints.
QMap<QString, QByteArray> hostHashes(const QString& root)
{
    QMap<QString, QByteArray> hashes;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QString path = it.next();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        QCryptographicHash hash(QCryptographicHash::Sha256);
        hash.addData(&file);
        hashes.insert("./" + QDir(root).relativeFilePath(path), hash.result().toHex());
    }
    return hashes;
}

// Lines "HASH  ./path" between the markers `begin` and `end` in the guest's output.
QMap<QString, QByteArray> guestHashes(const QByteArray& output, const QByteArray& begin, const QByteArray& end)
{
    QMap<QString, QByteArray> hashes;
    qsizetype from = output.indexOf(begin);
    qsizetype to = output.indexOf(end, from);
    if (from < 0 || to < 0)
        return hashes;
    const QList<QByteArray> lines = output.mid(from + begin.size(), to - from - begin.size()).split('\n');
    for (QByteArray line : lines) {
        line = line.trimmed();
        qsizetype separator = line.indexOf("  ");
        if (separator == 64)
            hashes.insert(QString::fromUtf8(line.mid(66)), line.left(64));
    }
    return hashes;
}

} // namespace

class VmmDatasetsTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

    QString path(const QString& relative) const { return m_directory.filePath(relative); }

    VmmRunResult boot(const QStringList& extra, int timeoutMs = 300000)
    {
        QStringList arguments { "--kernel", QStringLiteral(AIRLOCK_GUEST_KERNEL), "--initramfs",
            QStringLiteral(AIRLOCK_GUEST_INITRAMFS), "--memory", "256M" };
        return runVmm(QStringLiteral(AIRLOCK_VMM), arguments + extra, {}, timeoutMs);
    }

    // A dataset "tools" holding one script, run by the guest as `sh /datasets/tools/run.sh`.
    QStringList withScript(const QString& name, const QByteArray& script)
    {
        QString tools = path("tools-" + name);
        if (!writeFile(tools + "/run.sh", script))
            return {};
        return { "--dataset", "tools=" + tools };
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_directory.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_KERNEL)), "no guest kernel");
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_INITRAMFS)), "no guest initramfs");
    }

    // Every file of a dataset with awkward names reads back in the guest with the host's SHA-256;
    // empty files and folders, deep trees and symlinks are there; a symlink pointing out of the
    // dataset is a symlink in the guest and never reaches the host file.
    void guestReadsEveryFileWithTheHostsHash()
    {
        QString study = path("study 1");
        QByteArray random(3 * 1024 * 1024 + 17, Qt::Uninitialized);
        for (char& byte : random)
            byte = static_cast<char>(QRandomGenerator::global()->generate());
        QVERIFY(writeFile(study + "/plain.txt", "patient,age\nA,42\n"));
        QVERIFY(writeFile(study + "/with space/file one.csv", "x,y\n1,2\n"));
        QVERIFY(writeFile(study + QString::fromUtf8("/Données/été ünï.txt"), "résumé\n"));
        QVERIFY(writeFile(study + "/empty.dat", ""));
        QVERIFY(writeFile(study + "/binary.bin", random));
        QString deep = study + "/deep";
        for (int level = 0; level < 40; ++level)
            deep += "/level" + QString::number(level);
        QVERIFY(writeFile(deep + "/leaf.txt", "bottom\n"));
        QVERIFY(QDir().mkpath(study + "/empty folder"));
        QVERIFY(writeFile(path("outside/secret.txt"), "HOST-SECRET-NOT-IN-DATASET\n"));
        QVERIFY(QFile::link("plain.txt", study + "/relative-link"));
        QVERIFY(QFile::link(path("outside/secret.txt"), study + "/escape-link"));

        QStringList tools = withScript("hashes", kHashesScript);
        QVERIFY(!tools.isEmpty());
        VmmRunResult run = boot(tools + QStringList { "--dataset", study, "--", "sh", "/datasets/tools/run.sh" });
        QVERIFY2(run.finished && run.exitCode == 0, describe(run).constData());

        QMap<QString, QByteArray> expected = hostHashes(study);
        QMap<QString, QByteArray> seen = guestHashes(run.standardOutput, "BEGIN-HASHES", "END-HASHES");
        QCOMPARE(expected.size(), 6);
        QCOMPARE(seen, expected);
        QVERIFY2(run.standardOutput.contains("relative=plain.txt escape=" + path("outside/secret.txt").toUtf8()),
            describe(run).constData());
        QVERIFY2(!run.standardOutput.contains("HOST-SECRET"), "a symlink was followed out of the dataset on the host");
        QVERIFY2(run.standardOutput.contains("empty-folder-present"), describe(run).constData());
        QVERIFY2(run.standardOutput.contains("mounted-erofs-ro"), describe(run).constData());
    }

    // A file over 4 GiB (sparse on the host) reads right at the 4 GiB boundary and at its end.
    void fileOver4GiBReadsRightAcrossTheBoundary()
    {
        QString big = path("big/huge.img");
        QVERIFY(QDir().mkpath(path("big")));
        const qint64 size = 5 * (qint64 { 1 } << 30) + 4096;
        int fd = ::open(QFile::encodeName(big).constData(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
        QVERIFY(fd >= 0);
        QVERIFY(::ftruncate(fd, size) == 0);
        const QByteArray marker = "MARKER-ACROSS-4GiB";
        const qint64 boundary = qint64 { 1 } << 32;
        QCOMPARE(::pwrite(fd, marker.constData(), static_cast<size_t>(marker.size()), boundary - 9), marker.size());
        QCOMPARE(::pwrite(fd, "END", 3, size - 3), ssize_t { 3 });
        ::close(fd);

        QStringList tools = withScript("big", kBigFileScript);
        VmmRunResult run = boot(tools + QStringList { "--dataset", path("big"), "--", "sh", "/datasets/tools/run.sh" });
        QVERIFY2(run.finished && run.exitCode == 0, describe(run).constData());

        QFile file(big);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.seek(boundary - 4096));
        QByteArray around = file.read(8192);
        QVERIFY(file.seek(size - 4096));
        QByteArray tail = file.read(4096);
        QVERIFY2(run.standardOutput.contains("size=" + QByteArray::number(size)), describe(run).constData());
        QVERIFY2(run.standardOutput.contains("boundary=" + sha256Hex(around)), describe(run).constData());
        QVERIFY2(run.standardOutput.contains("tail=" + sha256Hex(tail)), describe(run).constData());
    }

    // 100,000 files in one folder: all there, contents intact.
    void hundredThousandFilesInOneFolder()
    {
        QString many = path("many");
        QVERIFY(QDir().mkpath(many));
        // Names sort the same as bytes and as numbers: f000000 .. f099999; each holds its number.
        for (int i = 0; i < 100000; ++i) {
            QByteArray content = QByteArray::number(i) + "\n";
            QString name = QString("f%1").arg(i, 6, 10, QChar('0'));
            QFile file(many + "/" + name);
            QVERIFY(file.open(QIODevice::WriteOnly) && file.write(content) == content.size());
        }
        QStringList tools = withScript("many", kManyFilesScript);
        VmmRunResult run = boot(tools + QStringList { "--dataset", many, "--", "sh", "/datasets/tools/run.sh" }, 600000);
        QVERIFY2(run.finished && run.exitCode == 0, describe(run).constData());
        QVERIFY2(run.standardOutput.contains("count=100000 last=f099999"), describe(run).constData());
        QVERIFY2(run.standardOutput.contains("sample=0,1,12345,49999,50000,77777,99998,99999,"), describe(run).constData());
    }

    // The guest cannot change a dataset: not through the filesystem, not through the raw disk,
    // not after asking the kernel to make the disk writable. The host files stay byte-for-byte.
    void guestCannotWriteADataset()
    {
        QString data = path("protected");
        QVERIFY(writeFile(data + "/record.csv", "id,value\n1,unchanged\n"));
        QMap<QString, QByteArray> before = hostHashes(data);
        QStringList tools = withScript("write", kWriteScript);
        VmmRunResult run = boot(tools + QStringList { "--dataset", data, "--", "sh", "/datasets/tools/run.sh" });
        QVERIFY2(run.finished && run.exitCode == 0, describe(run).constData());
        QVERIFY2(run.standardOutput.contains("disk=/dev/vd"), describe(run).constData());
        for (const char* step : { "touch=", "append=", "raw=", "rawdirect=" }) {
            QRegularExpression pattern(QString(step) + "(\\d+)");
            auto match = pattern.match(QString::fromUtf8(run.standardOutput));
            QVERIFY2(match.hasMatch(), describe(run).constData());
            QVERIFY2(match.captured(1) != "0", qPrintable(QString("%1 succeeded in the guest\n%2")
                                                         .arg(step, QString::fromUtf8(describe(run)))));
        }
        QCOMPARE(hostHashes(data), before);
    }
};

AIRLOCK_LAB_TEST_MAIN(VmmDatasetsTest)

#include "tst_vmm_datasets.moc"
