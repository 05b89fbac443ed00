// A dataset as the guest's EROFS driver will see it: the image synthesized from a host tree must
// pass erofs-utils' fsck.erofs and read back (fsck.erofs --extract) byte for byte as the source,
// for awkward names, empty files and folders, deep trees, symlinks, one-file datasets, 100,000
// files and files over 4 GiB; and creating it must not read the files' data.

#include "TestHelpers.h"
#include "dataset/ErofsImage.h"
#include "tst_dataset_support.h"

#include <chrono>
#include <fstream>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <QTest>

using namespace datasettest;
using vmm::ErofsImage;

namespace {

constexpr uint64_t GiB = 1ull << 30;

fs::path pathOf(const TemporaryFolder& directory, const char* name = nullptr)
{
    return name ? directory.path(name) : directory.path();
}

// A counter of /proc/self/io ("rchar": bytes this process got from read-like calls).
uint64_t ioCounter(const std::string& name)
{
    std::ifstream stream("/proc/self/io");
    std::string key;
    uint64_t value = 0;
    while (stream >> key >> value) {
        if (key == name + ":")
            return value;
    }
    return 0;
}

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool sparseFile(const fs::path& path, uint64_t size)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool done = fd >= 0 && ::ftruncate(fd, static_cast<off_t>(size)) == 0;
    if (fd >= 0)
        ::close(fd);
    return done;
}

} // namespace

class ErofsImageTest : public QObject {
    Q_OBJECT

private:
    // Writes the image of `source`, runs fsck.erofs on it, extracts it and compares with `source`.
    void checkRoundTrip(ErofsImage& image, const fs::path& source)
    {
        TemporaryFolder work;
        QVERIFY(work.isValid());
        QString imagePath = work.filePath("image.erofs");
        QString written = writeImage(image, imagePath);
        QVERIFY2(written.isEmpty(), qPrintable(written));
        ToolRun check = runTool("fsck.erofs", {imagePath});
        QVERIFY2(check.exitCode == 0, qPrintable(check.output));
        QString extracted = work.filePath("extracted");
        ToolRun extract = runTool("fsck.erofs", {"--extract=" + extracted, imagePath});
        QVERIFY2(extract.exitCode == 0, qPrintable(extract.output));
        QString difference = compareTrees(source, extracted.toStdString());
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

private slots:
    void initTestCase()
    {
        if (runTool("fsck.erofs", {"-V"}).exitCode != 0)
            QSKIP("fsck.erofs (Debian erofs-utils) is not installed");
    }

    void awkwardNamesEmptyFilesAndSymlinksReadBackExactly()
    {
        TemporaryFolder directory;
        fs::path root = pathOf(directory);
        fs::create_directories(root / "with spaces" / "and more spaces");
        fs::create_directories(root / "empty folder");
        fs::create_directories(root / "Ünïcödé 数据" / "日本語");
        QVERIFY(makeFile(root / "with spaces" / "a file.txt", "text with spaces\n"));
        QVERIFY(makeFile(root / "Ünïcödé 数据" / "日本語" / "données.csv", "a,b\n1,2\n"));
        QVERIFY(makeFile(root / "empty file", ""));
        QVERIFY(makeFile(root / "!sorts before dot", "!"));
        std::string block(4096, 'x');
        QVERIFY(makeFile(root / "exactly one block", block));
        QVERIFY(makeFile(root / "one block and a byte", block + "y"));
        fs::create_symlink("a file.txt", root / "with spaces" / "relative link");
        fs::create_symlink("/etc/passwd", root / "absolute link");
        fs::create_symlink("../../outside/secret", root / "link out of the dataset");
        fs::create_symlink("with spaces", root / "link to a folder");
        fs::create_symlink(std::string(4090, 'L'), root / "long target");

        auto image = ErofsImage::create(root.string());
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        const vmm::DatasetSummary& summary = (*image)->summary();
        QCOMPARE(summary.fileCount, 6u);
        QCOMPARE(summary.folderCount, 5u);
        QCOMPARE(summary.symlinkCount, 5u);
        QCOMPARE(summary.skippedCount, 0u);
        QCOMPARE(summary.totalBytes, 17u + 8u + 1u + 4096u + 4097u);
        QCOMPARE(summary.name, root.filename().string());
        QCOMPARE(summary.imageBytes % 4096, 0u);
        QVERIFY((*image)->isReadOnly());
        checkRoundTrip(**image, root);
    }

    void scatteredReadsMatchPlainReads()
    {
        // A guest request fills many scattered pages in one call (one preadv per file); every
        // split of the image into buffers must give the bytes a plain read gives, across file
        // boundaries, metadata, a file's last partial block and a file that shrank meanwhile.
        TemporaryFolder directory;
        fs::path root = pathOf(directory);
        std::string pattern;
        for (int index = 0; index < 300'000; ++index)
            pattern.push_back(static_cast<char>('a' + index * 7 % 26));
        QVERIFY(makeFile(root / "big", pattern));
        QVERIFY(makeFile(root / "small", pattern.substr(0, 5000)));
        QVERIFY(makeFile(root / "shrinks", pattern.substr(0, 70'000)));
        auto image = ErofsImage::create(root.string());
        QVERIFY(image);
        fs::resize_file(root / "shrinks", 20'000);
        const uint64_t size = (*image)->sizeBytes();
        std::vector<uint8_t> plain(size);
        QVERIFY((*image)->read(0, plain));
        for (size_t pieceBytes : {size_t {512}, size_t {4096}, size_t {12'288}, size_t {65'536}}) {
            std::vector<uint8_t> scattered(size, 0xee);
            std::vector<std::span<uint8_t>> buffers;
            for (uint64_t offset = 0; offset < size; offset += pieceBytes)
                buffers.push_back(std::span(scattered).subspan(
                    offset, std::min<uint64_t>(pieceBytes, size - offset)));
            QVERIFY((*image)->readVectored(0, buffers));
            QVERIFY2(scattered == plain, qPrintable(QString::number(pieceBytes)));
        }
        std::vector<uint8_t> past(4096);
        std::vector<std::span<uint8_t>> beyond {std::span(past)};
        QVERIFY(!(*image)->readVectored(size, beyond)); // past the end: refused
    }

    void deepTreeReadsBack()
    {
        TemporaryFolder directory;
        fs::path root = pathOf(directory);
        fs::path deepest = root;
        for (int level = 0; level < 80; ++level)
            deepest /= "level " + std::to_string(level);
        fs::create_directories(deepest);
        QVERIFY(makeFile(deepest / "bottom.txt", "the bottom of an 80-level tree\n"));
        auto image = ErofsImage::create(root.string());
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        QCOMPARE((*image)->summary().folderCount, 80u);
        checkRoundTrip(**image, root);
    }

    void oneFileDatasetHoldsThatFile()
    {
        TemporaryFolder directory;
        fs::path file = pathOf(directory, "measurements 2024.csv");
        QVERIFY(makeFile(file, "t,value\n0,1.5\n1,2.5\n"));
        QVERIFY(makeFile(pathOf(directory, "sibling.txt"), "not part of the dataset"));
        auto image = ErofsImage::create(file.string());
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        QCOMPARE((*image)->summary().name, std::string("measurements 2024.csv"));
        QCOMPARE((*image)->summary().fileCount, 1u);

        TemporaryFolder expected;
        fs::copy_file(file, pathOf(expected, "measurements 2024.csv"));
        checkRoundTrip(**image, pathOf(expected));
    }

    void hundredThousandFilesReadBackWithFewOpenFiles()
    {
        TemporaryFolder directory;
        fs::path root = pathOf(directory) / "many";
        fs::create_directory(root);
        for (int index = 0; index < 100'000; ++index) {
            std::string name = "sample-" + std::to_string(index) + ".txt";
            QVERIFY(makeFile(root / name, std::to_string(index * 7919)));
        }
        auto start = std::chrono::steady_clock::now();
        auto image = ErofsImage::create(root.string());
        double seconds = secondsSince(start);
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        qInfo("create() of a 100,000-file folder: %.3f s; metadata in memory: %.1f MiB", seconds,
            static_cast<double>((*image)->summary().metadataBytes) / (1 << 20));
        QCOMPARE((*image)->summary().fileCount, 100'000u);
        checkRoundTrip(**image, root);
        QVERIFY((*image)->openFileCount() <= ErofsImage::kOpenFileLimit);
    }

    void sparseFileOver4GiBKeepsItsSizeAndBytes()
    {
        TemporaryFolder directory;
        fs::path root = pathOf(directory);
        fs::path big = root / "big.bin";
        const uint64_t size = 5 * GiB + 123;
        QVERIFY(sparseFile(big, size));
        const std::vector<std::pair<uint64_t, std::string>> marks = {{0, "start"},
            {4 * GiB - 2, "across 4 GiB"}, {4 * GiB + 4096 * 3 + 17, "past 4 GiB"},
            {size - 4, "end!"}};
        int fd = ::open(big.c_str(), O_WRONLY | O_CLOEXEC);
        QVERIFY(fd >= 0);
        for (const auto& [offset, text] : marks)
            QCOMPARE(::pwrite(fd, text.data(), text.size(), static_cast<off_t>(offset)),
                static_cast<ssize_t>(text.size()));
        ::close(fd);
        QVERIFY(makeFile(root / "small.txt", "small"));

        auto image = ErofsImage::create(root.string());
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        QVERIFY((*image)->sizeBytes() > size);

        // Structure: fsck.erofs over the metadata (file data left as a hole: fsck without
        // --extract does not read it, and extracting 5 GiB would prove nothing more).
        TemporaryFolder work;
        QString imagePath = work.filePath("image.erofs");
        QString written = writeImage(**image, imagePath, (*image)->summary().metadataBytes);
        QVERIFY2(written.isEmpty(), qPrintable(written));
        ToolRun check = runTool("fsck.erofs", {imagePath});
        QVERIFY2(check.exitCode == 0, qPrintable(check.output));

        // Data: the known bytes at their offsets, through the image as the kernel maps them.
        KernelStyleReader reader(**image);
        auto inode = reader.resolve("big.bin");
        QVERIFY(inode);
        QVERIFY2(inode->extended, "a file of 4 GiB or more needs an extended (64-bit size) inode");
        QCOMPARE(inode->size, size);
        for (const auto& [offset, text] : marks) {
            auto bytes = reader.data(*inode, offset, text.size());
            QCOMPARE(std::string(bytes.begin(), bytes.end()), text);
        }
        auto hole = reader.data(*inode, 2 * GiB, 4096);
        QVERIFY(std::all_of(hole.begin(), hole.end(), [](uint8_t byte) { return byte == 0; }));
        auto small = reader.resolve("small.txt");
        QVERIFY(small && !small->extended);
        auto smallBytes = reader.data(*small, 0, 5);
        QCOMPARE(std::string(smallBytes.begin(), smallBytes.end()), std::string("small"));
    }

    void createReadsNoFileDataWhateverTheSize()
    {
        TemporaryFolder small;
        QVERIFY(makeFile(pathOf(small, "data.bin"), std::string(10 * 1024, 'd')));
        TemporaryFolder large;
        QVERIFY(sparseFile(pathOf(large, "data.bin"), 10 * GiB));

        auto start = std::chrono::steady_clock::now();
        auto smallImage = ErofsImage::create(pathOf(small).string());
        double smallSeconds = secondsSince(start);
        uint64_t readBefore = ioCounter("rchar");
        start = std::chrono::steady_clock::now();
        auto largeImage = ErofsImage::create(pathOf(large).string());
        double largeSeconds = secondsSince(start);
        uint64_t readBytes = ioCounter("rchar") - readBefore;
        QVERIFY(smallImage && largeImage);
        qInfo("create(): 10 KiB dataset %.3f ms, 10 GiB sparse dataset %.3f ms (%.2fx)",
            smallSeconds * 1e3, largeSeconds * 1e3, largeSeconds / smallSeconds);
        QVERIFY2(readBytes < 64 * 1024,
            qPrintable(
                QStringLiteral("create() read %1 bytes of a 10 GiB dataset").arg(readBytes)));
        QCOMPARE((*largeImage)->summary().totalBytes, 10 * GiB);
    }

    void socketsFifosAndDevicesAreLeftOutAndCounted()
    {
        TemporaryFolder directory;
        fs::path root = pathOf(directory);
        QVERIFY(makeFile(root / "kept.txt", "kept"));
        QCOMPARE(::mkfifo((root / "a fifo").c_str(), 0644), 0);
        int sock = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        std::string socketPath = (root / "a socket").string();
        QVERIFY(socketPath.size() < sizeof address.sun_path);
        std::copy(socketPath.begin(), socketPath.end(), address.sun_path);
        // Safety: sockaddr_un is the sockaddr the kernel expects for AF_UNIX.
        QCOMPARE(::bind(sock, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);

        auto image = ErofsImage::create(root.string());
        ::close(sock);
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        QCOMPARE((*image)->summary().skippedCount, 2u);
        QCOMPARE((*image)->summary().skippedExamples.size(), size_t {2});
        QCOMPARE((*image)->summary().fileCount, 1u);
        KernelStyleReader reader(**image);
        QVERIFY(reader.resolve("kept.txt"));
        QVERIFY(!reader.resolve("a fifo"));
        QVERIFY(!reader.resolve("a socket"));
    }

    void datasetPathThatIsASymlinkIsRefused()
    {
        TemporaryFolder directory;
        fs::create_directory(pathOf(directory, "real"));
        fs::create_directory_symlink("real", pathOf(directory, "alias"));
        auto image = ErofsImage::create(pathOf(directory, "alias").string());
        QVERIFY(!image);
        QVERIFY2(containsAll(image.error().message(), {"alias", "symbolic link", "points to"}),
            image.error().message().c_str());
        auto missing = ErofsImage::create(pathOf(directory, "nothing here").string());
        QVERIFY(!missing);
        QVERIFY2(containsAll(missing.error().message(), {"nothing here", "No such file"}),
            missing.error().message().c_str());
    }
};

QTEST_GUILESS_MAIN(ErofsImageTest)
#include "tst_erofs_image.moc"
