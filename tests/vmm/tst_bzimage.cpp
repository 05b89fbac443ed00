// The bzImage parser as a user meets it: a real kernel loads, and every file that is not a usable
// 64-bit bzImage is refused with a message that says what is wrong. Images are built in memory.

#include "boot/BzImage.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include <asm/bootparam.h>

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "TestHelpers.h"

namespace {

constexpr size_t kHeaderOffset = 0x1f1;

// A header that passes every check: protocol 2.15, 64-bit entry, loaded high.
setup_header validHeader()
{
    setup_header header {};
    header.setup_sects = 4;
    header.boot_flag = 0xaa55;
    header.header = 0x53726448; // "HdrS"
    header.version = 0x020f;
    header.loadflags = LOADED_HIGH;
    header.xloadflags = XLF_KERNEL_64;
    header.cmdline_size = 2047;
    header.initrd_addr_max = 0x7fffffff;
    header.init_size = 8u << 20;
    return header;
}

std::vector<uint8_t> makeImage(setup_header header, size_t payloadSize = 64 * 1024,
    uint8_t jumpLength = 0x6a, std::optional<size_t> announcedPayload = {})
{
    return syntheticBzImage(header, payloadSize, jumpLength, announcedPayload);
}

QByteArray toByteArray(const std::vector<uint8_t>& bytes)
{
    return QByteArray(
        reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
}

std::vector<uint8_t> toBytes(const QByteArray& bytes)
{
    return std::vector<uint8_t>(bytes.begin(), bytes.end());
}


} // namespace

class BzImageTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

    QString writeFile(const QString& name, const QByteArray& bytes)
    {
        return writeTestFile(m_directory, name, bytes);
    }

private slots:
    void initTestCase() { QVERIFY2(m_directory.isValid(), "cannot create a temporary directory"); }

    void validImageParses()
    {
        setup_header header = validHeader();
        auto image = vmm::BzImage::parse(makeImage(header, 64 * 1024), "bzImage");
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        QCOMPARE(image->protocolVersion(), uint16_t {0x020f});
        QCOMPARE(image->header().boot_flag, uint16_t {0xaa55});
        QCOMPARE(image->header().init_size, header.init_size);
        QCOMPARE(image->commandLineLimit(), uint32_t {2047});
        QCOMPARE(image->initrdAddressMax(), uint32_t {0x7fffffff});
        QCOMPARE(image->protectedModeKernel().size(), size_t {64 * 1024});
    }

    void protectedModeKernelFollowsTheSetupSectors_data()
    {
        QTest::addColumn<int>("setupSectors");
        QTest::addColumn<qsizetype>("expectedOffset");
        QTest::newRow("0 means 4") << 0 << qsizetype {5 * 512};
        QTest::newRow("1") << 1 << qsizetype {2 * 512};
        QTest::newRow("4") << 4 << qsizetype {5 * 512};
        QTest::newRow("30") << 30 << qsizetype {31 * 512};
    }
    void protectedModeKernelFollowsTheSetupSectors()
    {
        QFETCH(int, setupSectors);
        QFETCH(qsizetype, expectedOffset);
        setup_header header = validHeader();
        header.setup_sects = static_cast<uint8_t>(setupSectors);
        std::vector<uint8_t> bytes = makeImage(header, 4096);
        auto image = vmm::BzImage::parse(bytes, "bzImage");
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        std::span<const uint8_t> kernel = image->protectedModeKernel();
        QCOMPARE(kernel.size(), bytes.size() - static_cast<size_t>(expectedOffset));
        QVERIFY2(std::memcmp(kernel.data(), kSyntheticPayloadMarker, sizeof kSyntheticPayloadMarker) == 0,
            "the protected-mode kernel does not start at (setup_sects + 1) * 512");
    }

    void setupHeaderBytesFollowTheJumpLength_data()
    {
        QTest::addColumn<int>("jumpLength");
        QTest::addColumn<int>("expectedSize");
        // The header ends at 0x202 + byte[0x201], never past struct setup_header.
        QTest::newRow("whole header") << 0x6a << int {sizeof(setup_header)};
        QTest::newRow("jump past the header, clamped") << 0x90 << int {sizeof(setup_header)};
        QTest::newRow("ends before handover_offset") << 0x62 << 0x264 - 0x1f1;
        QTest::newRow("ends after the magic") << 0x00 << 0x202 - 0x1f1;
    }
    void setupHeaderBytesFollowTheJumpLength()
    {
        QFETCH(int, jumpLength);
        QFETCH(int, expectedSize);
        std::vector<uint8_t> bytes =
            makeImage(validHeader(), 4096, static_cast<uint8_t>(jumpLength));
        auto image = vmm::BzImage::parse(bytes, "bzImage");
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        std::span<const uint8_t> header = image->setupHeaderBytes();
        QCOMPARE(header.size(), static_cast<size_t>(expectedSize));
        QVERIFY(std::memcmp(header.data(), bytes.data() + kHeaderOffset, header.size()) == 0);
    }

    void memoryEndCoversTheUnpackedKernel_data()
    {
        // boot.rst, init_size: a relocatable kernel runs at its load address aligned up to
        // kernel_alignment, or at pref_address if that is higher, and needs init_size from there.
        QTest::addColumn<quint64>("prefAddress");
        QTest::addColumn<quint32>("alignment");
        QTest::addColumn<quint32>("initSize");
        QTest::addColumn<qsizetype>("kernelSize");
        QTest::addColumn<quint64>("expectedEnd"); // loaded at 1 MiB
        constexpr quint32 MiB = 1u << 20;
        QTest::newRow("in place") << quint64 {0} << MiB << 8 * MiB << qsizetype {65536}
                                  << quint64 {9 * MiB};
        QTest::newRow("aligned up")
            << quint64 {0} << 2 * MiB << 8 * MiB << qsizetype {65536} << quint64 {10 * MiB};
        QTest::newRow("moved to pref_address")
            << quint64 {16 * MiB} << 2 * MiB << 40 * MiB << qsizetype {65536} << quint64 {56 * MiB};
        QTest::newRow("kernel larger than init_size")
            << quint64 {0} << MiB << 4096u << qsizetype {262144} << quint64 {MiB + 262144};
    }
    void memoryEndCoversTheUnpackedKernel()
    {
        QFETCH(quint64, prefAddress);
        QFETCH(quint32, alignment);
        QFETCH(quint32, initSize);
        QFETCH(qsizetype, kernelSize);
        QFETCH(quint64, expectedEnd);
        setup_header header = validHeader();
        header.pref_address = prefAddress;
        header.kernel_alignment = alignment;
        header.relocatable_kernel = 1;
        header.init_size = initSize;
        auto image =
            vmm::BzImage::parse(makeImage(header, static_cast<size_t>(kernelSize)), "bzImage");
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        QCOMPARE(image->memoryEnd(1u << 20), expectedEnd);
    }

    void oldestSupportedProtocolIsAccepted()
    {
        setup_header header = validHeader();
        header.version = 0x020c;
        auto image = vmm::BzImage::parse(makeImage(header), "bzImage");
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        QCOMPARE(image->protocolVersion(), uint16_t {0x020c});
    }

    void malformedImagesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QStringList>("keywords");

        std::vector<uint8_t> valid = makeImage(validHeader(), 8192);
        QTest::newRow("empty") << QByteArray() << QStringList {"0 bytes", "too small"};
        QTest::newRow("shorter than the header")
            << toByteArray(valid).left(0x200) << QStringList {"512 bytes", "too small"};

        std::vector<uint8_t> shortPayload = makeImage(validHeader(), 8192, 0x6a, 8192 + 4096);
        QTest::newRow("shorter than syssize announces")
            << toByteArray(shortPayload)
            << QStringList {"truncated", std::to_string(5 * 512 + 8192 + 4096).c_str(),
                   std::to_string(shortPayload.size()).c_str()};

        setup_header manySectors = validHeader();
        std::vector<uint8_t> sectorsPastEnd = makeImage(manySectors, 1024);
        sectorsPastEnd[kHeaderOffset] = 200; // setup_sects: the setup code is longer than the file
        QTest::newRow("setup sectors past the end")
            << toByteArray(sectorsPastEnd) << QStringList {"truncated"};

        setup_header header = validHeader();
        header.header = 0x12345678;
        QTest::newRow("wrong magic")
            << toByteArray(makeImage(header)) << QStringList {"not a Linux x86 bzImage", "HdrS"};

        header = validHeader();
        header.boot_flag = 0x55aa;
        QTest::newRow("wrong boot flag")
            << toByteArray(makeImage(header)) << QStringList {"not a Linux x86 bzImage"};

        header = validHeader();
        header.version = 0x020b;
        QTest::newRow("protocol 2.11")
            << toByteArray(makeImage(header)) << QStringList {"2.11", "2.12"};

        header = validHeader();
        header.version = 0x0200;
        QTest::newRow("protocol 2.00")
            << toByteArray(makeImage(header)) << QStringList {"2.00", "2.12"};

        header = validHeader();
        header.xloadflags = 0;
        QTest::newRow("no 64-bit entry")
            << toByteArray(makeImage(header)) << QStringList {"64-bit"};

        header = validHeader();
        header.loadflags = 0;
        QTest::newRow("not loaded high") << toByteArray(makeImage(header)) << QStringList {"1 MiB"};
    }
    void malformedImagesAreRefused()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QStringList, keywords);
        auto image = vmm::BzImage::parse(toBytes(bytes), "guest.img");
        QVERIFY2(!image, "a malformed image was accepted");
        std::string message = image.error().message();
        QVERIFY2(containsAll(message, keywords + QStringList {"'guest.img'"}), message.c_str());
    }

    void loadReadsAKernelFile()
    {
        std::vector<uint8_t> bytes = makeImage(validHeader(), 64 * 1024);
        QString path = writeFile("bzImage", toByteArray(bytes));
        QVERIFY(!path.isEmpty());
        auto image = vmm::BzImage::load(path.toStdString());
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        QCOMPARE(image->protocolVersion(), uint16_t {0x020f});
        std::span<const uint8_t> kernel = image->protectedModeKernel();
        QVERIFY(std::equal(kernel.begin(), kernel.end(), bytes.begin() + 5 * 512, bytes.end()));
    }

    void loadRefusesUnusableFiles_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QStringList>("keywords");
        // name "" means: the temporary directory itself; contents "<missing>": no file.
        QTest::newRow("missing") << "nonexistent" << QByteArray("<missing>")
                                 << QStringList {"does not exist"};
        QTest::newRow("directory") << "" << QByteArray() << QStringList {"not a regular file"};
        QTest::newRow("empty file")
            << "empty" << QByteArray() << QStringList {"0 bytes", "too small"};
        QTest::newRow("short text file")
            << "notes.txt" << QByteArray("console=ttyS0\n") << QStringList {"too small"};
        QTest::newRow("long text file")
            << "README" << QByteArray(8192, 'x') << QStringList {"not a Linux x86 bzImage"};
    }
    void loadRefusesUnusableFiles()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, contents);
        QFETCH(QStringList, keywords);
        QString path = m_directory.filePath(name);
        if (name.isEmpty())
            path = m_directory.path();
        else if (contents != "<missing>")
            QVERIFY(!writeFile(name, contents).isEmpty());
        auto image = vmm::BzImage::load(path.toStdString());
        QVERIFY2(!image, "an unusable file was accepted as a kernel");
        std::string message = image.error().message();
        QVERIFY2(containsAll(message, keywords + QStringList {path}), message.c_str());
    }

    void loadRefusesAFileTooLargeToBeAKernel()
    {
        // Sparse: costs no disk space, and load must refuse it before reading it.
        QFile file(m_directory.filePath("huge.img"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.resize(qint64 {300} << 20));
        file.close();
        auto image = vmm::BzImage::load(file.fileName().toStdString());
        QVERIFY2(!image, "a 300 MiB file was accepted as a kernel");
        QVERIFY2(containsAll(image.error().message(), {"300 MiB", "too large"}),
            image.error().message().c_str());
    }

    void realKernelUsesProtocol212OrNewer()
    {
        QByteArray path = qgetenv("AIRLOCK_GUEST_KERNEL");
        if (path.isEmpty())
            QSKIP("AIRLOCK_GUEST_KERNEL is not set (packaging/guest/build-kernel.sh prints the "
                  "path)");
        auto image = vmm::BzImage::load(path.toStdString());
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        QVERIFY2(image->protocolVersion() >= 0x020c,
            "the guest kernel's boot protocol is older than 2.12");
        QVERIFY(image->header().xloadflags & XLF_KERNEL_64);
        QVERIFY(image->commandLineLimit() >= 255);
        QVERIFY(image->memoryEnd(1u << 20) >= (1u << 20) + image->protectedModeKernel().size());
    }
};

QTEST_APPLESS_MAIN(BzImageTest)
#include "tst_bzimage.moc"
