// The guest's scratch disk as the user relies on it: what the guest writes reads back intact, the
// host's disk only ever sees ciphertext under a key no other disk shares, bad requests are
// refused, and after shredding neither the file nor the key remains.

#include "scratch/EncryptedScratch.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace vmm;

namespace {

constexpr quint64 kSector = 512; // quint64: the type of the data columns
constexpr quint64 MiB = 1ull << 20;
constexpr quint64 kDiskSize = 64 * MiB;

std::unique_ptr<EncryptedScratch> makeScratch(const QString& path, uint64_t size = kDiskSize)
{
    auto scratch = EncryptedScratch::create(path.toStdString(), size);
    if (!scratch)
        qFatal("%s", scratch.error().message().c_str());
    return std::move(scratch).value();
}

std::vector<uint8_t> pattern(size_t size, uint8_t seed)
{
    std::vector<uint8_t> bytes(size);
    for (size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<uint8_t>(seed + i * 7 + i / 512);
    return bytes;
}

std::vector<uint8_t> canarySectors(const std::string& canary, size_t sectors)
{
    std::vector<uint8_t> bytes(sectors * kSector, ' ');
    for (size_t at = 0; at + canary.size() <= bytes.size(); at += canary.size() + 3)
        std::memcpy(bytes.data() + at, canary.data(), canary.size());
    return bytes;
}

QByteArray rawBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Every file under `directory` (recursively) whose raw bytes contain `needle`.
QStringList filesContaining(const QString& directory, const QByteArray& needle)
{
    QStringList found;
    QDirIterator it(
        directory, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QString path = it.next();
        if (rawBytes(path).contains(needle))
            found << path;
    }
    return found;
}

// This process's resident memory, from /proc/self/statm (pages of 4 KiB).
long residentKiB()
{
    QFile statm("/proc/self/statm");
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLong() * 4 : 0;
}

bool isAllZero(std::span<const uint8_t> bytes)
{
    return std::all_of(bytes.begin(), bytes.end(), [](uint8_t byte) { return byte == 0; });
}

} // namespace

class EncryptedScratchTest : public QObject {
    Q_OBJECT

private slots:
    void writtenDataReadsBack_data()
    {
        QTest::addColumn<quint64>("offset");
        QTest::addColumn<quint64>("length");
        QTest::newRow("first sector") << quint64 {0} << kSector;
        QTest::newRow("one sector in the middle") << quint64 {4097 * kSector} << kSector;
        QTest::newRow("a 4 KiB block") << quint64 {1 * MiB} << quint64 {4096};
        QTest::newRow("last sector") << kDiskSize - kSector << kSector;
        QTest::newRow("across a chunk boundary")
            << quint64 {EncryptedScratch::kChunkSize - kSector} << 3 * kSector;
        QTest::newRow("several chunks, odd length")
            << quint64 {3 * MiB + kSector} << quint64 {MiB + 5 * kSector};
        QTest::newRow("the last 8 MiB") << kDiskSize - 8 * MiB << 8 * MiB;
    }
    void writtenDataReadsBack()
    {
        QFETCH(quint64, offset);
        QFETCH(quint64, length);
        QTemporaryDir directory;
        auto scratch = makeScratch(directory.filePath("scratch.img"));
        std::vector<uint8_t> written = pattern(length, static_cast<uint8_t>(offset / kSector));
        auto write = scratch->write(offset, written);
        QVERIFY2(write, write ? "" : write.error().message().c_str());

        std::vector<uint8_t> read(length, 0xee);
        auto result = scratch->read(offset, read);
        QVERIFY2(result, result ? "" : result.error().message().c_str());
        QVERIFY(read == written);

        // The sectors either side were never written: zeroes, not decrypted holes.
        std::vector<uint8_t> neighbour(kSector, 0xee);
        if (offset >= kSector) {
            QVERIFY(scratch->read(offset - kSector, neighbour));
            QVERIFY(isAllZero(neighbour));
        }
        if (offset + length < kDiskSize) {
            QVERIFY(scratch->read(offset + length, neighbour));
            QVERIFY(isAllZero(neighbour));
        }
        // Part of a written range, read alone, still decrypts with its own sector's tweak.
        std::vector<uint8_t> last(kSector);
        QVERIFY(scratch->read(offset + length - kSector, last));
        QVERIFY(std::equal(last.begin(), last.end(), written.end() - kSector));
    }

    void overwritingReplacesTheData()
    {
        QTemporaryDir directory;
        auto scratch = makeScratch(directory.filePath("scratch.img"));
        QVERIFY(scratch->write(8 * kSector, pattern(4 * kSector, 1)));
        std::vector<uint8_t> second = pattern(2 * kSector, 99);
        QVERIFY(scratch->write(9 * kSector, second));
        std::vector<uint8_t> read(4 * kSector);
        QVERIFY(scratch->read(8 * kSector, read));
        std::vector<uint8_t> expected = pattern(4 * kSector, 1);
        std::copy(second.begin(), second.end(), expected.begin() + kSector);
        QVERIFY(read == expected);
    }

    void aNewDiskReadsAsZeroesAndCostsNoSpace()
    {
        QTemporaryDir directory;
        QString path = directory.filePath("scratch.img");
        auto scratch = makeScratch(path);
        QCOMPARE(scratch->sizeBytes(), kDiskSize);
        QVERIFY(!scratch->isReadOnly());
        std::vector<uint8_t> read(2 * MiB, 0xee);
        QVERIFY(scratch->read(kDiskSize - 2 * MiB, read));
        QVERIFY(isAllZero(read));

        struct stat status { };
        QCOMPARE(::stat(path.toLocal8Bit().constData(), &status), 0);
        QCOMPARE(static_cast<uint64_t>(status.st_size), kDiskSize);
        QVERIFY2(static_cast<uint64_t>(status.st_blocks) * 512 < MiB, "the file is not sparse");
        QCOMPARE(status.st_mode & 0777, 0600u);
    }

    void aHugeDiskCostsNeitherDiskNorMemoryUntilWritten()
    {
        QTemporaryDir directory;
        QString path = directory.filePath("scratch.img");
        constexpr quint64 TiB = 1ull << 40;
        long residentBefore = residentKiB();
        auto scratch = makeScratch(path, TiB);
        std::vector<uint8_t> data = pattern(kSector, 77);
        QVERIFY(scratch->write(TiB - kSector, data));
        QVERIFY(scratch->write(0, data));
        std::vector<uint8_t> read(kSector);
        QVERIFY(scratch->read(TiB - kSector, read));
        QVERIFY(read == data);
        // The written-sector bitmap of a 1 TiB disk is 256 MiB of address space; only the pages
        // that cover written sectors may cost memory.
        long grown = residentKiB() - residentBefore;
        QVERIFY2(
            grown < 16 * 1024, qPrintable(QString("resident memory grew by %1 KiB").arg(grown)));
        QVERIFY(
            !EncryptedScratch::create(directory.filePath("too-big.img").toStdString(), 2 * TiB));
    }

    void theGuestsPlaintextNeverReachesTheHostDisk()
    {
        QTemporaryDir directory;
        QString path = directory.filePath("scratch.img");
        auto scratch = makeScratch(path);
        const std::string canary = "AIRLOCK-CANARY-patient-4711-do-not-leak";
        // Many sectors, sector-aligned and not, plus a whole run of identical sectors (which a
        // weak mode such as ECB would turn into identical ciphertext).
        QVERIFY(scratch->write(0, canarySectors(canary, 1)));
        QVERIFY(scratch->write(777 * kSector, canarySectors(canary, 300)));
        QVERIFY(scratch->write(kDiskSize - MiB, canarySectors(canary, MiB / kSector)));
        QVERIFY(scratch->flush());

        QByteArray needle = QByteArray::fromStdString(canary);
        QByteArray disk = rawBytes(path);
        QCOMPARE(static_cast<uint64_t>(disk.size()), kDiskSize);
        QVERIFY2(!disk.contains(needle), "the canary is in the scratch file");
        QVERIFY2(!disk.contains(needle.left(16)), "part of the canary is in the scratch file");
        QVERIFY2(
            filesContaining(directory.path(), needle).isEmpty(), "the canary is in the directory");
        // The file does hold the data, as ciphertext: no two written sectors are equal.
        QByteArray first = disk.mid(777 * kSector, kSector);
        QByteArray second = disk.mid(778 * kSector, kSector);
        QVERIFY(first != second);
        QVERIFY(first != QByteArray(kSector, '\0'));

        std::vector<uint8_t> read(kSector);
        QVERIFY(scratch->read(900 * kSector, read));
        std::vector<uint8_t> expected = canarySectors(canary, 300);
        QVERIFY(std::equal(read.begin(), read.end(), expected.begin() + (900 - 777) * kSector));
    }

    void eachDiskHasItsOwnKey()
    {
        QTemporaryDir directory;
        QString firstPath = directory.filePath("scratch-1.img");
        QString secondPath = directory.filePath("scratch-2.img");
        auto first = makeScratch(firstPath);
        auto second = makeScratch(secondPath);
        std::vector<uint8_t> plaintext = pattern(8 * kSector, 3);
        QVERIFY(first->write(64 * kSector, plaintext));
        QVERIFY(second->write(64 * kSector, plaintext));
        QByteArray a = rawBytes(firstPath).mid(64 * kSector, 8 * kSector);
        QByteArray b = rawBytes(secondPath).mid(64 * kSector, 8 * kSector);
        QCOMPARE(a.size(), qsizetype {8 * kSector});
        QVERIFY2(a != b, "two scratch disks encrypted the same data to the same bytes");
        // Nor do two sectors share 16 bytes anywhere: the keys are unrelated.
        for (qsizetype at = 0; at < a.size(); at += 16)
            QVERIFY(!b.contains(a.mid(at, 16)));
    }

    void badRequestsAreRefused_data()
    {
        QTest::addColumn<quint64>("offset");
        QTest::addColumn<quint64>("length");
        QTest::newRow("unaligned offset") << quint64 {100} << kSector;
        QTest::newRow("unaligned length") << quint64 {0} << quint64 {100};
        QTest::newRow("one sector past the end") << kDiskSize << kSector;
        QTest::newRow("crossing the end") << kDiskSize - kSector << 2 * kSector;
        QTest::newRow("offset wrapping around") << ~uint64_t {0} - kSector + 1 << 2 * kSector;
    }
    void badRequestsAreRefused()
    {
        QFETCH(quint64, offset);
        QFETCH(quint64, length);
        QTemporaryDir directory;
        auto scratch = makeScratch(directory.filePath("scratch.img"));
        std::vector<uint8_t> buffer(length, 0x11);
        auto write = scratch->write(offset, buffer);
        QVERIFY(!write);
        QCOMPARE(write.error().errnoValue(), EINVAL);
        auto read = scratch->read(offset, buffer);
        QVERIFY(!read);
        QCOMPARE(read.error().errnoValue(), EINVAL);
        QVERIFY(
            std::all_of(buffer.begin(), buffer.end(), [](uint8_t byte) { return byte == 0x11; }));
    }

    void creationRefusesExistingPathsAndBadSizes()
    {
        QTemporaryDir directory;
        QString existing = directory.filePath("existing.img");
        QFile file(existing);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("keep me");
        file.close();
        auto overExisting = EncryptedScratch::create(existing.toStdString(), MiB);
        QVERIFY(!overExisting);
        QCOMPARE(overExisting.error().errnoValue(), EEXIST);
        QCOMPARE(rawBytes(existing), QByteArray("keep me"));

        // A symlink planted at the path is not followed.
        QString link = directory.filePath("link.img");
        QVERIFY(QFile::link(existing, link));
        QVERIFY(!EncryptedScratch::create(link.toStdString(), MiB));
        QCOMPARE(rawBytes(existing), QByteArray("keep me"));

        QString fresh = directory.filePath("fresh.img");
        QVERIFY(!EncryptedScratch::create(fresh.toStdString(), 0));
        QVERIFY(!EncryptedScratch::create(fresh.toStdString(), 1000));
        QVERIFY(!QFile::exists(fresh));
        QVERIFY(!EncryptedScratch::create(directory.filePath("nowhere/x.img").toStdString(), MiB));
    }

    void shredLeavesNoFileAndNoKey()
    {
        QTemporaryDir directory;
        QString path = directory.filePath("scratch.img");
        auto scratch = makeScratch(path);
        QVERIFY(scratch->write(0, pattern(MiB, 5)));
        QVERIFY(!scratch->isKeyWiped());

        std::vector<ShredItem> items = scratch->shred();
        QCOMPARE(items.size(), size_t {2});
        for (const ShredItem& item : items) {
            QVERIFY2(item.succeeded, (item.what + ": " + item.verification).c_str());
            QVERIFY(!item.startedAt.empty() && !item.finishedAt.empty());
        }
        QVERIFY(items[0].what.find("key") != std::string::npos);
        QVERIFY(items[0].method.find("OPENSSL_cleanse") != std::string::npos);
        QVERIFY(items[1].what.find(path.toStdString()) != std::string::npos);
        QVERIFY(items[1].verification.find("ENOENT") != std::string::npos);

        QVERIFY(scratch->isShredded());
        QVERIFY(scratch->isKeyWiped());
        QVERIFY(!QFile::exists(path));
        QVERIFY(
            QDir(directory.path())
                .isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System));
        std::vector<uint8_t> read(kSector);
        QVERIFY(!scratch->read(0, read));
        QVERIFY(!scratch->write(0, read));
        QVERIFY(!scratch->flush());
        QVERIFY(scratch->shred().empty());
    }

    void destroyingTheDiskShredsIt()
    {
        QTemporaryDir directory;
        QString path = directory.filePath("scratch.img");
        {
            auto scratch = makeScratch(path);
            QVERIFY(scratch->write(0, pattern(kSector, 1)));
            QVERIFY(QFile::exists(path));
        }
        QVERIFY(!QFile::exists(path));
    }

    void shredDoesNotRemoveAFileThatReplacedIt()
    {
        QTemporaryDir directory;
        QString path = directory.filePath("scratch.img");
        auto scratch = makeScratch(path);
        QVERIFY(QFile::remove(path));
        QFile impostor(path);
        QVERIFY(impostor.open(QIODevice::WriteOnly));
        impostor.write("someone else's file");
        impostor.close();
        std::vector<ShredItem> items = scratch->shred();
        QCOMPARE(items.size(), size_t {2});
        QVERIFY(items[0].succeeded); // the key is gone all the same
        QVERIFY(!items[1].succeeded);
        QVERIFY(items[1].verification.find("different file") != std::string::npos);
        QCOMPARE(rawBytes(path), QByteArray("someone else's file"));
    }

    void aFullHostDiskIsReportedAsSuch()
    {
        // A 256 KiB tmpfs in a child's own mount namespace (root, or an unprivileged user
        // namespace, is needed to mount one); the child reports through its exit status.
        QTemporaryDir directory;
        QByteArray mountPoint = directory.path().toLocal8Bit();
        int pipeFds[2];
        QCOMPARE(::pipe(pipeFds), 0);
        pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::close(pipeFds[0]);
            bool isolated =
                ::unshare(CLONE_NEWNS) == 0 || (::unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0);
            if (!isolated || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0 ||
                ::mount("tmpfs", mountPoint.constData(), "tmpfs", 0, "size=256k") < 0)
                ::_exit(77);
            std::string path = mountPoint.toStdString() + "/scratch.img";
            auto scratch = EncryptedScratch::create(path, 16 * MiB);
            if (!scratch)
                ::_exit(2);
            std::vector<uint8_t> data(MiB, 0x42);
            auto write = (*scratch)->write(0, data);
            std::string message =
                write ? std::string("the write succeeded") : write.error().message();
            [[maybe_unused]] ssize_t sent = ::write(pipeFds[1], message.data(), message.size());
            bool reported = !write && write.error().errnoValue() == ENOSPC;
            // Shredding still works on a full disk (it only frees space).
            std::vector<ShredItem> items = (*scratch)->shred();
            bool shredded = items.size() == 2 && items[0].succeeded && items[1].succeeded;
            ::_exit(reported && shredded ? 0 : 1);
        }
        ::close(pipeFds[1]);
        QByteArray message;
        char buffer[512];
        ssize_t count = 0;
        while ((count = ::read(pipeFds[0], buffer, sizeof buffer)) > 0)
            message.append(buffer, count);
        ::close(pipeFds[0]);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77)
            QSKIP("cannot mount a small tmpfs here (needs root or unprivileged user namespaces)");
        QVERIFY2(WEXITSTATUS(status) == 0, message.constData());
        QVERIFY2(message.contains("host disk is full"), message.constData());
        QVERIFY2(message.contains("scratch.img"), message.constData());
    }

    void throughput()
    {
        QTemporaryDir directory;
        auto scratch = makeScratch(directory.filePath("scratch.img"), 256 * MiB);
        std::vector<uint8_t> block = pattern(MiB, 9);
        constexpr int kBlocks = 128;
        auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < kBlocks; ++i)
            QVERIFY(scratch->write(static_cast<quint64>(i) * MiB, block));
        auto written = std::chrono::steady_clock::now();
        for (int i = 0; i < kBlocks; ++i)
            QVERIFY(scratch->read(static_cast<quint64>(i) * MiB, block));
        auto read = std::chrono::steady_clock::now();
        auto megabytesPerSecond = [](auto from, auto to) {
            double seconds = std::chrono::duration<double>(to - from).count();
            return kBlocks / seconds;
        };
        qInfo("scratch AES-256-XTS, 1 MiB requests: write %.0f MiB/s, read %.0f MiB/s",
            megabytesPerSecond(start, written), megabytesPerSecond(written, read));
    }
};

QTEST_GUILESS_MAIN(EncryptedScratchTest)
#include "tst_encrypted_scratch.moc"
