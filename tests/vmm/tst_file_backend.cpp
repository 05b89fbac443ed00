// The host file behind a disk: capacity in whole sectors, reads and writes that land where the
// guest asked, read-only enforced by the file descriptor itself, and ranges outside refused.

#include "TestHelpers.h"
#include "block/FileBackend.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace vmm;

namespace {

QByteArray fileBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The access mode of the file descriptor `fd` (O_RDONLY, O_RDWR), as the kernel sees it.
int accessMode(int fd)
{
    return ::fcntl(fd, F_GETFL) & O_ACCMODE;
}

} // namespace

class FileBackendTest : public QObject {
    Q_OBJECT

private slots:
    void capacityIsWholeSectors()
    {
        QTemporaryDir directory;
        QString path = writeTestFile(directory, "odd.img", QByteArray(1000 + 3 * 512, 'x'));
        auto backend = FileBackend::open(path.toStdString(), true);
        QVERIFY(backend);
        QCOMPARE((*backend)->sizeBytes(), uint64_t {4 * 512});
        QVERIFY((*backend)->isReadOnly());
        // The partial sector at the end is not exposed.
        std::vector<uint8_t> sector(512);
        QVERIFY(!(*backend)->read(4 * 512, sector));
    }

    void writeThenReadRoundTrips()
    {
        QTemporaryDir directory;
        QString path = writeTestFile(directory, "rw.img", QByteArray(8192, '\0'));
        auto backend = FileBackend::open(path.toStdString(), false);
        QVERIFY(backend);
        std::vector<uint8_t> written(1024);
        for (size_t i = 0; i < written.size(); ++i)
            written[i] = static_cast<uint8_t>(i * 13);
        QVERIFY((*backend)->write(1024, written));
        QVERIFY((*backend)->flush());
        std::vector<uint8_t> read(1024);
        QVERIFY((*backend)->read(1024, read));
        QCOMPARE(read, written);
        QCOMPARE(fileBytes(path).mid(1024, 1024),
            QByteArray(reinterpret_cast<const char*>(written.data()), 1024));
    }

    void readOnlyIsEnforcedByTheHostFileDescriptor()
    {
        QTemporaryDir directory;
        QByteArray original(4096, 'd');
        QString path = writeTestFile(directory, "ro.img", original);
        auto backend = FileBackend::open(path.toStdString(), true);
        QVERIFY(backend);
        // Find our fd among the process's: the one open on this file must be O_RDONLY.
        int found = -1;
        for (int fd = 3; fd < 1024; ++fd) {
            char link[64];
            char target[4096] = {};
            std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
            if (::readlink(link, target, sizeof target - 1) > 0 &&
                path == QString::fromUtf8(target))
                found = fd;
        }
        QVERIFY(found >= 0);
        QCOMPARE(accessMode(found), O_RDONLY);
        std::vector<uint8_t> bytes(512, 'w');
        auto write = (*backend)->write(0, bytes);
        QVERIFY(!write);
        QCOMPARE(write.error().errnoValue(), EROFS);
        QCOMPARE(fileBytes(path), original);
    }

    void rangesOutsideTheDiskAreRefused_data()
    {
        QTest::addColumn<quint64>("offset");
        QTest::addColumn<int>("length");
        QTest::newRow("past the end") << quint64 {4096} << 512;
        QTest::newRow("across the end") << quint64 {3584} << 1024;
        QTest::newRow("offset + length wraps") << quint64 {~0ull - 511} << 1024;
        QTest::newRow("not sector aligned") << quint64 {100} << 512;
        QTest::newRow("not whole sectors") << quint64 {0} << 100;
    }
    void rangesOutsideTheDiskAreRefused()
    {
        QFETCH(quint64, offset);
        QFETCH(int, length);
        QTemporaryDir directory;
        QByteArray original(4096, 'z');
        QString path = writeTestFile(directory, "small.img", original);
        auto backend = FileBackend::open(path.toStdString(), false);
        QVERIFY(backend);
        std::vector<uint8_t> bytes(static_cast<size_t>(length), 'q');
        QVERIFY(!(*backend)->read(offset, bytes));
        QVERIFY(!(*backend)->write(offset, bytes));
        QCOMPARE(fileBytes(path), original);
    }

    void openingWhatIsNotAFileFails()
    {
        QTemporaryDir directory;
        auto folder = FileBackend::open(directory.path().toStdString(), true);
        QVERIFY(!folder);
        QVERIFY(containsAll(folder.error().message(), {"not a regular file"}));
        std::string missing = directory.filePath("missing.img").toStdString();
        auto absent = FileBackend::open(missing, true);
        QVERIFY(!absent);
        QVERIFY(containsAll(absent.error().message(), {"missing.img", "No such file"}));
    }
};

QTEST_GUILESS_MAIN(FileBackendTest)
#include "tst_file_backend.moc"
