// A dataset's host files after the image was made: a file that shrinks, vanishes, is replaced or
// is swapped for a symlink reads as zeros where its scanned bytes are missing (never another
// file's bytes, never anything outside the dataset) and is reported; an unreadable file or folder
// is named at creation with what to do; making and serving the image writes nothing on the host
// and reads the files through O_RDONLY descriptors only.

#include "TestHelpers.h"
#include "dataset/ErofsImage.h"
#include "tst_dataset_support.h"

#include <fstream>
#include <map>
#include <thread>

#include <sys/stat.h>
#include <sys/syscall.h>

#include <QTest>

using namespace datasettest;
using vmm::DatasetChange;
using vmm::ErofsImage;

namespace {

constexpr uid_t kNobody = 65534;

// A counter of /proc/self/io: "wchar" (bytes passed to write-like calls, to anything) or
// "write_bytes" (bytes this process made the page cache write to storage).
uint64_t ioCounter(const std::string& name)
{
    std::ifstream stream("/proc/self/io");
    std::string key;
    uint64_t value = 0;
    while (stream >> key >> value) {
        if (key == name + ":")
            return value;
    }
    return ~0ull;
}

// Every entry below `root` with what a write would change (size, mtime, ctime), by path.
std::map<std::string, std::tuple<off_t, long, long, long, long>> snapshot(const fs::path& root)
{
    std::map<std::string, std::tuple<off_t, long, long, long, long>> entries;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        struct stat status { };
        ::lstat(entry.path().c_str(), &status);
        entries[entry.path().string()] = {status.st_size, status.st_mtim.tv_sec,
            status.st_mtim.tv_nsec, status.st_ctim.tv_sec, status.st_ctim.tv_nsec};
    }
    return entries;
}

// Reads every byte of the image, as a guest reading all files would.
bool readWholeImage(ErofsImage& image)
{
    std::vector<uint8_t> chunk(1 << 20);
    for (uint64_t offset = 0; offset < image.sizeBytes(); offset += chunk.size()) {
        size_t count =
            static_cast<size_t>(std::min<uint64_t>(chunk.size(), image.sizeBytes() - offset));
        if (!image.read(offset, std::span(chunk.data(), count)))
            return false;
    }
    return true;
}

std::string dataOf(KernelStyleReader& reader, const std::string& path)
{
    auto inode = reader.resolve(path);
    if (!inode)
        return "<missing>";
    auto bytes = reader.data(*inode, 0, inode->size);
    return {bytes.begin(), bytes.end()};
}

// Runs ErofsImage::create as user `nobody` when this test runs as root (root reads everything),
// on a thread of its own: the raw setresuid syscall changes only the calling thread.
vmm::Result<std::unique_ptr<ErofsImage>> createAsUnprivileged(const std::string& path)
{
    vmm::Result<std::unique_ptr<ErofsImage>> result =
        vmm::failure(vmm::Error::invalid("test", "not run"));
    std::thread worker([&] {
        if (::geteuid() == 0 &&
            (::syscall(SYS_setresgid, kNobody, kNobody, kNobody) != 0 ||
                ::syscall(SYS_setresuid, kNobody, kNobody, kNobody) != 0)) {
            result = vmm::failure(vmm::Error::fromErrno("setresuid", errno));
            return;
        }
        result = ErofsImage::create(path);
    });
    worker.join();
    return result;
}

} // namespace

class DatasetChangesTest : public QObject {
    Q_OBJECT

private slots:
    void changedVanishedAndReplacedFilesReadAsZerosAndAreReported()
    {
        TemporaryFolder folder;
        fs::path root = folder.path();
        std::string pattern(10000, '\0');
        for (size_t index = 0; index < pattern.size(); ++index)
            pattern[index] = static_cast<char>('a' + index % 26);
        QVERIFY(makeFile(root / "keep.txt", "unchanged"));
        QVERIFY(makeFile(root / "shrink.bin", pattern));
        QVERIFY(makeFile(root / "vanish.txt", "goodbye"));
        QVERIFY(makeFile(root / "replace.txt", "original"));
        QVERIFY(makeFile(root / "grow.txt", "abc"));
        auto image = ErofsImage::create(root.string());
        QVERIFY2(image, image ? "" : image.error().message().c_str());

        fs::resize_file(root / "shrink.bin", 100);
        fs::remove(root / "vanish.txt");
        QVERIFY(makeFile(root / "replacement", "REPLACED"));
        fs::rename(root / "replacement", root / "replace.txt");
        std::ofstream(root / "grow.txt", std::ios::app) << "defgh";

        KernelStyleReader reader(**image);
        QCOMPARE(dataOf(reader, "keep.txt"), std::string("unchanged"));
        QCOMPARE(dataOf(reader, "shrink.bin"), pattern.substr(0, 100) + std::string(9900, '\0'));
        QCOMPARE(dataOf(reader, "vanish.txt"), std::string(7, '\0'));
        QCOMPARE(dataOf(reader, "replace.txt"), std::string(8, '\0'));
        QCOMPARE(dataOf(reader, "grow.txt"), std::string("abc"));

        std::map<std::string, DatasetChange::Kind> changes;
        for (const DatasetChange& change : (*image)->changes()) {
            QVERIFY2(!change.detail.empty(), change.path.c_str());
            changes[change.path] = change.kind;
        }
        QCOMPARE(changes.size(), size_t {4});
        QCOMPARE(changes["shrink.bin"], DatasetChange::Kind::Changed);
        QCOMPARE(changes["vanish.txt"], DatasetChange::Kind::Vanished);
        QCOMPARE(changes["replace.txt"], DatasetChange::Kind::Replaced);
        QCOMPARE(changes["grow.txt"], DatasetChange::Kind::Changed);
    }

    void folderSwappedForASymlinkIsNotFollowedOutOfTheDataset()
    {
        TemporaryFolder folder;
        fs::path root = folder.path("dataset");
        fs::path outside = folder.path("outside");
        fs::create_directories(root / "sub");
        fs::create_directories(outside / "sub");
        QVERIFY(makeFile(root / "sub" / "data.txt", "inside"));
        QVERIFY(makeFile(outside / "sub" / "data.txt", "SECRET"));
        auto image = ErofsImage::create(root.string());
        QVERIFY2(image, image ? "" : image.error().message().c_str());

        fs::rename(root / "sub", root / "sub-old");
        fs::create_directory_symlink(outside / "sub", root / "sub");
        KernelStyleReader reader(**image);
        QCOMPARE(dataOf(reader, "sub/data.txt"), std::string(6, '\0'));
        auto changes = (*image)->changes();
        QCOMPARE(changes.size(), size_t {1});
        QCOMPARE(changes[0].path, std::string("sub/data.txt"));
        QCOMPARE(changes[0].kind, DatasetChange::Kind::Replaced);
    }

    void unreadableFileIsNamedWithWhatToDo()
    {
        TemporaryFolder folder;
        fs::path root = folder.path();
        fs::permissions(root,
            fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                fs::perms::others_read | fs::perms::others_exec);
        fs::create_directory(root / "results");
        QVERIFY(makeFile(root / "results" / "ok.txt", "readable"));
        QVERIFY(makeFile(root / "results" / "secret.txt", "no access"));
        fs::permissions(root / "results" / "ok.txt", fs::perms::all);
        fs::permissions(root / "results" / "secret.txt", fs::perms::none);
        auto image = createAsUnprivileged(root.string());
        QVERIFY(!image);
        QVERIFY2(containsAll(image.error().message(),
                     {"results/secret.txt", "cannot read", "chmod u+r", "Permission denied"}),
            image.error().message().c_str());
    }

    void unreadableFolderIsNamedWithWhatToDo()
    {
        TemporaryFolder folder;
        fs::path root = folder.path();
        fs::permissions(
            root, fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
        fs::create_directories(root / "locked" / "inner");
        fs::permissions(root / "locked", fs::perms::owner_write);
        auto image = createAsUnprivileged(root.string());
        fs::permissions(root / "locked", fs::perms::owner_all);
        QVERIFY(!image);
        QVERIFY2(containsAll(image.error().message(), {"/locked\"", "folder", "chmod u+rx"}),
            image.error().message().c_str());
    }

    void makingAndServingTheImageWritesNothing()
    {
        TemporaryFolder folder;
        TemporaryFolder temporary;
        fs::path root = folder.path("dataset");
        fs::create_directories(root / "a" / "b");
        for (int index = 0; index < 50; ++index)
            QVERIFY(
                makeFile(root / "a" / ("file " + std::to_string(index)), std::string(5000, 'z')));
        fs::create_symlink("a", root / "link");
        qputenv("TMPDIR", QByteArray::fromStdString(temporary.path().string()));
        auto before = snapshot(root);

        uint64_t written = ioCounter("wchar");
        uint64_t stored = ioCounter("write_bytes");
        auto image = ErofsImage::create(root.string());
        bool readAll = image && readWholeImage(**image);
        uint64_t writtenAfter = ioCounter("wchar");
        uint64_t storedAfter = ioCounter("write_bytes");
        qunsetenv("TMPDIR");

        QVERIFY2(image, image ? "" : image.error().message().c_str());
        QVERIFY(readAll);
        QCOMPARE(storedAfter - stored, 0u);
#ifndef __SANITIZE_ADDRESS__ // the sanitizers probe memory by writing it to a pipe of their own
        QCOMPARE(writtenAfter - written, 0u);
#else
        Q_UNUSED(written);
        Q_UNUSED(writtenAfter);
#endif
        QVERIFY2(before == snapshot(root), "the dataset's files or folders were touched");
        QVERIFY2(fs::is_empty(temporary.path()), "something was created in TMPDIR");
        QVERIFY((*image)->write(0, std::vector<uint8_t>(512)).error().errnoValue() == EROFS);
    }

    void filesAreReadThroughReadOnlyDescriptorsOnly()
    {
        TemporaryFolder folder;
        fs::path root = folder.path();
        for (int index = 0; index < 40; ++index)
            QVERIFY(makeFile(root / ("data-" + std::to_string(index)), std::string(9000, 'q')));
        auto image = ErofsImage::create(root.string());
        QVERIFY(image);
        QVERIFY(readWholeImage(**image));

        int found = 0;
        for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
            std::error_code error;
            fs::path target = fs::read_symlink(entry.path(), error);
            if (error || target.string().rfind(root.string(), 0) != 0)
                continue;
            std::ifstream info("/proc/self/fdinfo/" + entry.path().filename().string());
            std::string key;
            std::string value;
            int flags = -1;
            while (info >> key >> value) {
                if (key == "flags:")
                    flags = std::stoi(value, nullptr, 8);
            }
            QVERIFY2((flags & O_ACCMODE) == O_RDONLY, target.c_str());
            ++found;
        }
        // The dataset folder itself plus at most kOpenFileLimit files.
        QVERIFY(found >= 2);
        QVERIFY(found <= static_cast<int>(ErofsImage::kOpenFileLimit) + 1);
    }

    void requestsOutsideTheImageFail()
    {
        TemporaryFolder folder;
        QVERIFY(makeFile(folder.path("x"), "x"));
        auto image = ErofsImage::create(folder.path().string());
        QVERIFY(image);
        std::vector<uint8_t> buffer(4096);
        uint64_t size = (*image)->sizeBytes();
        QVERIFY((*image)->read(size - 4096, buffer));
        QVERIFY(!(*image)->read(size - 512, buffer));
        QVERIFY(!(*image)->read(size, std::span(buffer.data(), 512)));
        QVERIFY(!(*image)->read(~0ull - 100, buffer));
    }
};

QTEST_GUILESS_MAIN(DatasetChangesTest)
#include "tst_dataset_changes.moc"
