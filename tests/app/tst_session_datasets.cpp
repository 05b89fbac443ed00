// DatasetInspector and DatasetInspection: what a user sees about a folder or file before it
// becomes a dataset (counts, bytes, name), and the clear refusals (unreadable, pipe, vanished,
// the same path twice).

#include "DatasetInspection.h"
#include "DatasetInspector.h"

#include <unistd.h>

#include <sys/stat.h>

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using app::DatasetInspection;
using app::DatasetInspector;
using app::DatasetSource;

namespace {

bool writeFile(const QString& path, qint64 size)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(QByteArray(size, 'x')) == size;
}

// scans/ with a.csv (100 B), b.csv (250 B), sub/c.csv (1000 B), an empty folder, and a link to a
// 1 MiB file outside the tree that must be neither followed nor counted.
QString makeScans(const QTemporaryDir& root)
{
    QDir dir(root.path());
    if (!dir.mkpath(QStringLiteral("scans/sub")) || !dir.mkpath(QStringLiteral("scans/empty")))
        return {};
    QString scans = root.filePath(QStringLiteral("scans"));
    bool written = writeFile(scans + QStringLiteral("/a.csv"), 100) &&
        writeFile(scans + QStringLiteral("/b.csv"), 250) &&
        writeFile(scans + QStringLiteral("/sub/c.csv"), 1000) &&
        writeFile(root.filePath(QStringLiteral("outside.bin")), 1 << 20) &&
        QFile::link(
            root.filePath(QStringLiteral("outside.bin")), scans + QStringLiteral("/link.bin")) &&
        QFile::link(root.path(), scans + QStringLiteral("/sub/up"));
    return written ? scans : QString();
}

} // namespace

class SessionDatasetsTest : public QObject {
    Q_OBJECT

private slots:
    void aFolderIsCountedWithoutFollowingLinks()
    {
        QTemporaryDir root;
        QString scans = makeScans(root);
        QVERIFY(!scans.isEmpty());
        app::Result<DatasetSource> source = DatasetInspector::inspect(scans);
        QVERIFY2(source.has_value(), source ? "" : qPrintable(source.error().message));
        QCOMPARE(source->name, QStringLiteral("scans"));
        QCOMPARE(source->hostPath, scans);
        QCOMPARE(source->kind, DatasetSource::Kind::Folder);
        QCOMPARE(source->fileCount, 3);
        QCOMPARE(source->totalBytes, 1350); // not 1 MiB more: link.bin is not followed
        QCOMPARE(source->folderCount, 2);
        QCOMPARE(source->skippedCount, 0);
        QVERIFY(source->manifestDigest.isEmpty()); // the engine fills it in at mount
    }

    void aSingleFileIsADataset()
    {
        QTemporaryDir root;
        QString path = root.filePath(QStringLiteral("report.pdf"));
        QVERIFY(writeFile(path, 4321));
        app::Result<DatasetSource> source = DatasetInspector::inspect(path);
        QVERIFY(source.has_value());
        QCOMPARE(source->kind, DatasetSource::Kind::File);
        QCOMPARE(source->name, QStringLiteral("report.pdf"));
        QCOMPARE(source->fileCount, 1);
        QCOMPARE(source->totalBytes, 4321);
    }

    void anUnreadableFileIsNamed()
    {
        if (::geteuid() == 0)
            QSKIP("running as root, which reads every file whatever its mode; run the test as a "
                  "normal user to check this");
        QTemporaryDir root;
        QString scans = makeScans(root);
        QString secret = scans + QStringLiteral("/sub/secret.csv");
        QVERIFY(writeFile(secret, 10));
        QVERIFY(::chmod(QFile::encodeName(secret).constData(), 0) == 0);
        app::Result<DatasetSource> source = DatasetInspector::inspect(scans);
        QVERIFY(!source.has_value());
        QVERIFY2(source.error().message.contains(secret), qPrintable(source.error().message));
        QVERIFY2(source.error().message.contains(QStringLiteral("chmod")),
            qPrintable(source.error().message));
    }

    void anUnsearchableFolderIsNamed()
    {
        if (::geteuid() == 0)
            QSKIP("running as root, which opens every folder whatever its mode; run the test as "
                  "a normal user to check this");
        QTemporaryDir root;
        QString scans = makeScans(root);
        QString locked = scans + QStringLiteral("/empty");
        QVERIFY(::chmod(QFile::encodeName(locked).constData(), 0600) == 0); // no search bit
        app::Result<DatasetSource> source = DatasetInspector::inspect(scans);
        QVERIFY(::chmod(QFile::encodeName(locked).constData(), 0700) == 0);
        QVERIFY(!source.has_value());
        QVERIFY2(source.error().message.contains(locked), qPrintable(source.error().message));
    }

    void aFifoIsRefused()
    {
        QTemporaryDir root;
        QString fifo = root.filePath(QStringLiteral("pipe"));
        QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        app::Result<DatasetSource> source = DatasetInspector::inspect(fifo); // must not block
        QVERIFY(!source.has_value());
        QVERIFY2(source.error().message.contains(fifo) &&
                source.error().message.contains(QStringLiteral("pipe")),
            qPrintable(source.error().message));
    }

    void aFifoInsideAFolderIsSkippedAndCounted()
    {
        QTemporaryDir root;
        QString scans = makeScans(root);
        QVERIFY(
            ::mkfifo(QFile::encodeName(scans + QStringLiteral("/pipe")).constData(), 0600) == 0);
        app::Result<DatasetSource> source = DatasetInspector::inspect(scans);
        QVERIFY(source.has_value());
        QCOMPARE(source->skippedCount, 1);
        QCOMPARE(source->fileCount, 3);
    }

    void aLinkGivenAsTheDatasetIsRefused()
    {
        QTemporaryDir root;
        QString scans = makeScans(root);
        QString link = root.filePath(QStringLiteral("shortcut"));
        QVERIFY(QFile::link(scans, link));
        app::Result<DatasetSource> source = DatasetInspector::inspect(link);
        QVERIFY(!source.has_value());
        QVERIFY2(source.error().message.contains(QStringLiteral("symbolic link")),
            qPrintable(source.error().message));
    }

    void aVanishedPathSaysSo()
    {
        QTemporaryDir root;
        QString gone = root.filePath(QStringLiteral("moved-away"));
        app::Result<DatasetSource> source = DatasetInspector::inspect(gone);
        QVERIFY(!source.has_value());
        QVERIFY2(source.error().message.contains(gone) &&
                source.error().message.contains(QStringLiteral("does not exist any more")),
            qPrintable(source.error().message));
    }

    void namesAreMadeUnique()
    {
        QCOMPARE(
            DatasetInspector::uniqueName(QStringLiteral("scans"), {}), QStringLiteral("scans"));
        QCOMPARE(DatasetInspector::uniqueName(QStringLiteral("scans"), {QStringLiteral("scans")}),
            QStringLiteral("scans-2"));
        QCOMPARE(DatasetInspector::uniqueName(QStringLiteral("scans"),
                     {QStringLiteral("scans"), QStringLiteral("scans-2"), QStringLiteral("x")}),
            QStringLiteral("scans-3"));
        QCOMPARE(DatasetInspector::baseName(QStringLiteral("/")), QStringLiteral("root"));
        QCOMPARE(
            DatasetInspector::baseName(QStringLiteral("/data/scans/")), QStringLiteral("scans"));
    }

    void twoFoldersWithOneNameGetTwoNames()
    {
        QTemporaryDir first;
        QTemporaryDir second;
        QString a = makeScans(first);
        QString b = makeScans(second);
        app::Result<DatasetSource> one = DatasetInspector::inspect(a);
        QVERIFY(one.has_value());
        app::Result<DatasetSource> two = DatasetInspector::inspect(b, {*one});
        QVERIFY(two.has_value());
        QCOMPARE(two->name, QStringLiteral("scans-2"));
    }

    void theSamePathTwiceIsRefused()
    {
        QTemporaryDir root;
        QString scans = makeScans(root);
        app::Result<DatasetSource> one = DatasetInspector::inspect(scans);
        QVERIFY(one.has_value());
        app::Result<DatasetSource> again =
            DatasetInspector::inspect(scans + QStringLiteral("/"), {*one});
        QVERIFY(!again.has_value());
        QVERIFY2(again.error().message.contains(QStringLiteral("already in this session")),
            qPrintable(again.error().message));
        // Also when reached through a link to a parent folder: it is the same folder.
        QString alias = root.filePath(QStringLiteral("alias"));
        QVERIFY(QFile::link(root.path(), alias));
        QVERIFY(!DatasetInspector::inspect(alias + QStringLiteral("/scans"), {*one}).has_value());
    }

    void aBatchReportsEveryPathInOrder()
    {
        QTemporaryDir root;
        QString scans = makeScans(root);
        QString file = root.filePath(QStringLiteral("notes.txt"));
        QVERIFY(writeFile(file, 7));
        DatasetInspection inspection;
        QSignalSpy inspected(&inspection, &DatasetInspection::inspected);
        QVERIFY(inspection.start({scans, file}, {}));
        QVERIFY(inspection.isRunning());
        QVERIFY(!inspection.start({file}, {})); // one batch at a time
        QVERIFY(inspected.wait(5000));
        auto sources = inspected.front().front().value<QList<DatasetSource>>();
        QCOMPARE(sources.size(), 2);
        QCOMPARE(sources[0].fileCount, 3);
        QCOMPARE(sources[1].name, QStringLiteral("notes.txt"));
        QVERIFY(!inspection.isRunning());
    }

    void aBatchWithOneBadPathAddsNothing()
    {
        QTemporaryDir root;
        QString scans = makeScans(root);
        QString fifo = root.filePath(QStringLiteral("pipe"));
        QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        DatasetInspection inspection;
        QSignalSpy inspected(&inspection, &DatasetInspection::inspected);
        QSignalSpy failed(&inspection, &DatasetInspection::failed);
        QVERIFY(inspection.start({scans, fifo}, {}));
        QVERIFY(failed.wait(5000));
        QVERIFY(failed.front().front().toString().contains(fifo));
        QCOMPARE(inspected.size(), 0);
    }

    void aLargeTreeCanBeCancelled()
    {
        QTemporaryDir root;
        QDir dir(root.path());
        for (int folder = 0; folder < 200; ++folder) {
            QString name = QStringLiteral("big/%1").arg(folder);
            QVERIFY(dir.mkpath(name));
            for (int file = 0; file < 20; ++file)
                QVERIFY(writeFile(root.filePath(name + QStringLiteral("/%1").arg(file)), 1));
        }
        DatasetInspection inspection;
        QSignalSpy cancelled(&inspection, &DatasetInspection::cancelled);
        QSignalSpy inspected(&inspection, &DatasetInspection::inspected);
        QVERIFY(inspection.start({root.filePath(QStringLiteral("big"))}, {}));
        inspection.cancel();
        QVERIFY(cancelled.wait(5000));
        QCOMPARE(inspected.size(), 0);
        QVERIFY(!inspection.isRunning());
    }

    void progressIsReportedWhileATreeIsInspected()
    {
        app::InspectionProgress progress;
        QTemporaryDir root;
        QString scans = makeScans(root);
        QVERIFY(DatasetInspector::inspect(scans, {}, &progress).has_value());
        QCOMPARE(progress.files.load(), 3);
        QCOMPARE(progress.bytes.load(), 1350);
    }
};

QTEST_GUILESS_MAIN(SessionDatasetsTest)
#include "tst_session_datasets.moc"
