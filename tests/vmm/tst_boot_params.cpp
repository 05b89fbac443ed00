// What the Linux loader leaves in guest RAM before the first instruction: RAM regions around the
// 3-4 GiB MMIO hole, the E820 map, the zero page, the kernel, the initrd and the command line
// (Documentation/arch/x86/boot.rst). A wrong value here is a guest that does not boot.

#include "arch/x86_64/Layout.h"
#include "arch/x86_64/MemoryLayout.h"
#include "boot/BzImage.h"
#include "boot/LinuxLoader.h"

#include <linux/screen_info.h>
#include "memory/GuestMemory.h"

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

using namespace vmm;
using namespace vmm::x86_64;

namespace {

constexpr uint64_t MiB = 1ull << 20;
constexpr uint64_t GiB = 1ull << 30;

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
    header.kernel_alignment = 0x200000;
    header.relocatable_kernel = 1;
    header.init_size = 4 * MiB;
    return header;
}

// A synthetic bzImage: `header`, then a protected-mode kernel of `payloadSize` patterned bytes.
BzImage makeKernel(
    setup_header header = validHeader(), size_t payloadSize = 64 * 1024, uint8_t jumpLength = 0x6a)
{
    auto kernel = BzImage::parse(syntheticBzImage(header, payloadSize, jumpLength), "bzImage");
    if (!kernel)
        qFatal("synthetic kernel rejected: %s", kernel.error().message().c_str());
    return std::move(kernel).value();
}

GuestMemory makeMemory(uint64_t size)
{
    auto regions = ramRegions(size);
    if (!regions)
        qFatal("%s", regions.error().message().c_str());
    auto memory = GuestMemory::create(*regions);
    if (!memory)
        qFatal("%s", memory.error().message().c_str());
    return std::move(memory).value();
}

std::vector<uint8_t> readBytes(const GuestMemory& memory, uint64_t address, size_t size)
{
    std::vector<uint8_t> bytes(size);
    auto result = memory.read(GuestAddress(address), bytes);
    if (!result)
        qFatal("%s", result.error().message().c_str());
    return bytes;
}

QByteArray pattern(qsizetype size)
{
    QByteArray bytes(size, '\0');
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = static_cast<char>((i * 13 + 5) & 0xff);
    return bytes;
}


} // namespace

class BootParamsTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

    QString writeFile(const QString& name, const QByteArray& bytes)
    {
        return writeTestFile(m_directory, name, bytes);
    }

private slots:
    void initTestCase() { QVERIFY2(m_directory.isValid(), "cannot create a temporary directory"); }

    void ramRegionsLeaveTheMmioHoleFree_data()
    {
        QTest::addColumn<quint64>("memorySize");
        QTest::addColumn<quint64>("lowSize");
        QTest::addColumn<quint64>("highSize"); // 0: no region above 4 GiB
        QTest::newRow("32 MiB") << quint64 {32 * MiB} << quint64 {32 * MiB} << quint64 {0};
        QTest::newRow("512 MiB") << quint64 {512 * MiB} << quint64 {512 * MiB} << quint64 {0};
        QTest::newRow("3 GiB exactly") << quint64 {3 * GiB} << quint64 {3 * GiB} << quint64 {0};
        QTest::newRow("3 GiB + 2 MiB")
            << quint64 {3 * GiB + 2 * MiB} << quint64 {3 * GiB} << quint64 {2 * MiB};
        QTest::newRow("8 GiB") << quint64 {8 * GiB} << quint64 {3 * GiB} << quint64 {5 * GiB};
    }
    void ramRegionsLeaveTheMmioHoleFree()
    {
        QFETCH(quint64, memorySize);
        QFETCH(quint64, lowSize);
        QFETCH(quint64, highSize);
        auto regions = ramRegions(memorySize);
        QVERIFY2(regions, regions ? "" : regions.error().message().c_str());
        QCOMPARE(regions->size(), highSize ? size_t {2} : size_t {1});
        QCOMPARE(regions->at(0).start.value(), uint64_t {0});
        QCOMPARE(regions->at(0).size, lowSize);
        if (highSize) {
            QCOMPARE(regions->at(1).start.value(), kMmioHoleEnd);
            QCOMPARE(regions->at(1).size, highSize);
        }
    }

    void ramRegionsRefuseBadSizes_data()
    {
        QTest::addColumn<quint64>("memorySize");
        QTest::addColumn<QString>("keyword");
        QTest::newRow("zero") << quint64 {0} << "at least 32 MiB";
        QTest::newRow("30 MiB") << quint64 {30 * MiB} << "at least 32 MiB";
        QTest::newRow("33 MiB") << quint64 {33 * MiB} << "multiple of 2 MiB";
        QTest::newRow("over 1 TiB") << quint64 {(1ull << 40) + 2 * MiB} << "1 TiB";
    }
    void ramRegionsRefuseBadSizes()
    {
        QFETCH(quint64, memorySize);
        QFETCH(QString, keyword);
        auto regions = ramRegions(memorySize);
        QVERIFY2(!regions, "a bad memory size was accepted");
        QVERIFY2(
            containsAll(regions.error().message(), {keyword}), regions.error().message().c_str());
    }

    void e820MapDescribesExactlyTheRam_data()
    {
        QTest::addColumn<quint64>("memorySize");
        QTest::newRow("32 MiB") << quint64 {32 * MiB};
        QTest::newRow("512 MiB") << quint64 {512 * MiB};
        QTest::newRow("3 GiB") << quint64 {3 * GiB};
        QTest::newRow("4 GiB") << quint64 {4 * GiB};
        QTest::newRow("64 GiB") << quint64 {64 * GiB};
    }
    void e820MapDescribesExactlyTheRam()
    {
        QFETCH(quint64, memorySize);
        auto regions = ramRegions(memorySize);
        QVERIFY(regions);
        std::vector<E820Entry> map = e820Map(*regions);

        // Low memory: RAM up to the MP table, the rest of the first MiB reserved.
        QVERIFY(map.size() >= 3);
        QCOMPARE(map[0].address, uint64_t {0});
        QCOMPARE(map[0].size, kLowRamEnd);
        QCOMPARE(map[0].type, kE820Ram);
        QCOMPARE(map[1].address, kLowRamEnd);
        QCOMPARE(map[1].address + map[1].size, kKernelLoadAddress.value());
        QCOMPARE(map[1].type, kE820Reserved);
        QVERIFY2(kMpTableAddress.value() >= map[1].address &&
                kMpTableAddress.value() + kMpTableCapacity <= map[1].address + map[1].size,
            "the MP table is not in reserved memory: the guest would overwrite it");

        uint64_t ram = 0;
        for (size_t i = 0; i < map.size(); ++i) {
            const E820Entry& entry = map[i];
            if (i > 0)
                QVERIFY2(map[i - 1].address + map[i - 1].size <= entry.address,
                    "entries overlap or are unsorted");
            if (entry.type != kE820Ram)
                continue;
            ram += entry.size;
            bool inHole =
                entry.address < kMmioHoleEnd && entry.address + entry.size > kMmioHoleStart;
            QVERIFY2(!inHole, "an E820 RAM entry covers the 3-4 GiB MMIO hole");
        }
        QCOMPARE(ram, memorySize - (kKernelLoadAddress.value() - kLowRamEnd));
    }

    void bootParamsCarryHeaderLoaderCommandLineInitrdAndMemoryMap()
    {
        BzImage kernel = makeKernel();
        std::vector<E820Entry> map = e820Map(*ramRegions(512 * MiB));
        auto params =
            buildBootParams(kernel, kCommandLineAddress, 42, GuestAddress(0x1f000000), 123456, map);
        QVERIFY2(params, params ? "" : params.error().message().c_str());

        QCOMPARE(params->hdr.header, uint32_t {0x53726448});
        QCOMPARE(params->hdr.boot_flag, uint16_t {0xaa55});
        QCOMPARE(params->hdr.version, uint16_t {0x020f});
        QCOMPARE(params->hdr.init_size, uint32_t {4 * MiB});
        QCOMPARE(params->hdr.type_of_loader, uint8_t {0xff});
        QCOMPARE(params->hdr.cmd_line_ptr, uint32_t {0x20000});
        QCOMPARE(params->ext_cmd_line_ptr, uint32_t {0});
        QCOMPARE(params->hdr.ramdisk_image, uint32_t {0x1f000000});
        QCOMPARE(params->hdr.ramdisk_size, uint32_t {123456});
        QCOMPARE(params->ext_ramdisk_image, uint32_t {0});
        QCOMPARE(params->ext_ramdisk_size, uint32_t {0});
        // A non-zero sentinel makes the kernel zero parts of the zero page it thinks are stale.
        QCOMPARE(params->sentinel, uint8_t {0});

        QCOMPARE(size_t {params->e820_entries}, map.size());
        for (size_t i = 0; i < map.size(); ++i) {
            QCOMPARE(uint64_t {params->e820_table[i].addr}, map[i].address);
            QCOMPARE(uint64_t {params->e820_table[i].size}, map[i].size);
            QCOMPARE(uint32_t {params->e820_table[i].type}, map[i].type);
        }
    }

    void bootParamsCopyOnlyTheHeaderTheKernelAnnounces()
    {
        setup_header header = validHeader();
        header.handover_offset = 0x190;
        header.kernel_info_offset = 0x12345;
        // The jump at 0x200 says the header ends at 0x264, before handover_offset.
        BzImage kernel = makeKernel(header, 4096, 0x62);
        auto params = buildBootParams(kernel, kCommandLineAddress, 0, GuestAddress(0), 0, {});
        QVERIFY2(params, params ? "" : params.error().message().c_str());
        QCOMPARE(params->hdr.init_size, header.init_size);
        QCOMPARE(params->hdr.handover_offset, uint32_t {0});
        QCOMPARE(params->hdr.kernel_info_offset, uint32_t {0});
    }

    void bootParamsRefuseWhatTheZeroPageCannotHold()
    {
        BzImage kernel = makeKernel();
        std::vector<E820Entry> tooMany(
            E820_MAX_ENTRIES_ZEROPAGE + 1, E820Entry {0, 4096, kE820Ram});
        auto params = buildBootParams(kernel, kCommandLineAddress, 0, GuestAddress(0), 0, tooMany);
        QVERIFY2(!params, "129 E820 entries were accepted");
        QVERIFY2(containsAll(params.error().message(), {"E820"}), params.error().message().c_str());

        auto highInitrd =
            buildBootParams(kernel, kCommandLineAddress, 0, GuestAddress(4 * GiB), 4096, {});
        QVERIFY2(!highInitrd, "an initrd above 4 GiB was accepted without ext_ramdisk_image");
        QVERIFY2(containsAll(highInitrd.error().message(), {"4 GiB"}),
            highInitrd.error().message().c_str());
    }

    // The screen as vesafb reads it (drivers/video/fbdev/vesafb.c): a VESA linear framebuffer of
    // 32-bit XRGB pixels, its size in 64 KiB units covering every row.
    void screenInfoDescribesTheLinearFramebuffer()
    {
        BzImage kernel = makeKernel();
        auto params = buildBootParams(kernel, kCommandLineAddress, 0, GuestAddress(0), 0, {});
        QVERIFY(params);
        QCOMPARE(params->screen_info.orig_video_isVGA, uint8_t {0}); // no display: nothing
        auto geometry = vmm::FramebufferGeometry::make(1280, 800);
        QVERIFY(geometry);
        QVERIFY(vmm::describeFramebuffer(*params, {0xd000'0000, *geometry}));
        const screen_info& screen = params->screen_info;
        QCOMPARE(screen.orig_video_isVGA, uint8_t {VIDEO_TYPE_VLFB});
        QCOMPARE(screen.lfb_base, 0xd000'0000u);
        QCOMPARE(screen.lfb_width, uint16_t {1280});
        QCOMPARE(screen.lfb_height, uint16_t {800});
        QCOMPARE(screen.lfb_depth, uint16_t {32});
        QCOMPARE(screen.lfb_linelength, uint16_t {1280 * 4});
        QVERIFY(uint64_t {screen.lfb_size} * 65536 >= uint64_t {1280} * 4 * 800);
        QVERIFY(uint64_t {screen.lfb_size - 1} * 65536 < uint64_t {1280} * 4 * 800);
        QCOMPARE(screen.red_pos, uint8_t {16});
        QCOMPARE(screen.green_pos, uint8_t {8});
        QCOMPARE(screen.blue_pos, uint8_t {0});
        QCOMPARE(screen.red_size + screen.green_size + screen.blue_size, 24);

        // Above 4 GiB or unaligned does not fit lfb_base as vesafb reads it.
        QVERIFY(!vmm::describeFramebuffer(*params, {0x1'0000'0000, *geometry}));
        QVERIFY(!vmm::describeFramebuffer(*params, {0xd000'1000, *geometry}));
        auto largest = vmm::FramebufferGeometry::make(7680, 4320);
        QVERIFY(largest);
        QVERIFY(!vmm::describeFramebuffer(*params, {0xffff'0000, *largest}));
    }

    void initrdGoesAsHighAsAllowed_data()
    {
        QTest::addColumn<quint64>("memorySize");
        QTest::addColumn<quint32>("initrdAddressMax");
        QTest::addColumn<quint64>("initrdSize");
        QTest::addColumn<quint64>("expectedTop"); // the initrd ends within a page below this
        QTest::newRow("512 MiB") << quint64 {512 * MiB} << quint32 {0x7fffffff}
                                 << quint64 {MiB + 123} << quint64 {512 * MiB};
        QTest::newRow("below the MMIO hole")
            << quint64 {8 * GiB} << quint32 {0xffffffff} << quint64 {20 * MiB} << quint64 {3 * GiB};
        QTest::newRow("below initrd_addr_max") << quint64 {512 * MiB} << quint32 {0x0fffffff}
                                               << quint64 {3 * MiB + 1} << quint64 {256 * MiB};
        QTest::newRow("exactly one page")
            << quint64 {64 * MiB} << quint32 {0x7fffffff} << quint64 {4096} << quint64 {64 * MiB};
    }
    void initrdGoesAsHighAsAllowed()
    {
        QFETCH(quint64, memorySize);
        QFETCH(quint32, initrdAddressMax);
        QFETCH(quint64, initrdSize);
        QFETCH(quint64, expectedTop);
        setup_header header = validHeader();
        header.initrd_addr_max = initrdAddressMax;
        auto address = initrdAddress(makeKernel(header), *ramRegions(memorySize), initrdSize);
        QVERIFY2(address, address ? "" : address.error().message().c_str());
        QCOMPARE(address->value() % 4096, uint64_t {0});
        QVERIFY2(
            address->value() + initrdSize <= expectedTop, "the initrd ends past the allowed top");
        QVERIFY2(address->value() + initrdSize + 4096 > expectedTop,
            "the initrd is not as high as it can go");
    }

    void initrdThatDoesNotFitIsRefused()
    {
        // The kernel runs from 2 MiB (1 MiB aligned up) and needs 4 MiB: 58 MiB of 64 are left.
        auto address = initrdAddress(makeKernel(), *ramRegions(64 * MiB), 60 * MiB);
        QVERIFY2(!address, "an initrd overlapping the kernel was accepted");
        QVERIFY2(containsAll(address.error().message(), {"60 MiB", "more memory"}),
            address.error().message().c_str());

        auto noLowRam =
            initrdAddress(makeKernel(), {GuestRegion {GuestAddress(4 * GiB), 64 * MiB}}, 4096);
        QVERIFY2(!noLowRam, "an initrd was placed without RAM at address 0");
    }

    void initrdStaysClearOfTheRelocatedKernel()
    {
        // A relocatable kernel loaded below pref_address moves to pref_address and needs init_size
        // bytes from there (boot.rst, init_size: memory_window_start = runtime_start). Here that is
        // 16 MiB + 40 MiB = 56 MiB; an initrd below it is overwritten while the kernel unpacks.
        setup_header header = validHeader();
        header.pref_address = 16 * MiB;
        header.init_size = 40 * MiB;
        auto address = initrdAddress(makeKernel(header), *ramRegions(64 * MiB), 10 * MiB);
        if (!address) {
            QVERIFY2(containsAll(address.error().message(), {"more memory"}),
                address.error().message().c_str());
            return;
        }
        QVERIFY2(address->value() >= 56 * MiB,
            ("the initrd at " + std::to_string(address->value() >> 20) +
                " MiB overlaps the kernel's memory window [16 MiB, 56 MiB)")
                .c_str());
    }

    void loadLinuxLeavesKernelInitrdCommandLineAndZeroPageInRam()
    {
        GuestMemory memory = makeMemory(64 * MiB);
        BzImage kernel = makeKernel();
        QByteArray initrdBytes = pattern(300 * 1024 + 7);
        QString initrdPath = writeFile("initrd.img", initrdBytes);
        QVERIFY(!initrdPath.isEmpty());
        std::string commandLine = "console=ttyS0 quiet -- /bin/echo hi";

        auto loaded = loadLinux(memory, kernel, initrdPath.toStdString(), commandLine);
        QVERIFY2(loaded, loaded ? "" : loaded.error().message().c_str());

        QCOMPARE(loaded->entry, uint64_t {0x100200});
        std::span<const uint8_t> expectedKernel = kernel.protectedModeKernel();
        std::vector<uint8_t> kernelInRam = readBytes(memory, 0x100000, expectedKernel.size());
        QVERIFY2(std::equal(kernelInRam.begin(), kernelInRam.end(), expectedKernel.begin()),
            "the protected-mode kernel is not at 1 MiB");

        QCOMPARE(loaded->initrdSize, uint64_t(initrdBytes.size()));
        QCOMPARE(loaded->initrdAddress.value() % 4096, uint64_t {0});
        QVERIFY(loaded->initrdAddress.value() + loaded->initrdSize <= 64 * MiB);
        QVERIFY(loaded->initrdAddress.value() >= kernel.memoryEnd(0x100000));
        std::vector<uint8_t> initrdInRam = readBytes(
            memory, loaded->initrdAddress.value(), static_cast<size_t>(initrdBytes.size()));
        QVERIFY2(initrdInRam == std::vector<uint8_t>(initrdBytes.begin(), initrdBytes.end()),
            "the initrd in guest RAM differs from the file");

        std::vector<uint8_t> line =
            readBytes(memory, kCommandLineAddress.value(), commandLine.size() + 1);
        QCOMPARE(std::string(line.begin(), line.end() - 1), commandLine);
        QCOMPARE(line.back(), uint8_t {0});

        auto params = memory.readObject<boot_params>(kBootParamsAddress);
        QVERIFY(params);
        QCOMPARE(params->hdr.header, uint32_t {0x53726448});
        QCOMPARE(params->hdr.type_of_loader, uint8_t {0xff});
        QCOMPARE(uint64_t {params->hdr.cmd_line_ptr}, kCommandLineAddress.value());
        QCOMPARE(uint64_t {params->hdr.ramdisk_image}, loaded->initrdAddress.value());
        QCOMPARE(uint64_t {params->hdr.ramdisk_size}, loaded->initrdSize);
        QCOMPARE(params->e820_entries, uint8_t {3});
        QCOMPARE(uint64_t {params->e820_table[2].addr}, uint64_t {MiB});
        QCOMPARE(uint64_t {params->e820_table[2].size}, 63 * MiB);
    }

    void loadLinuxWithoutInitrdLeavesTheRamdiskFieldsEmpty()
    {
        GuestMemory memory = makeMemory(32 * MiB);
        auto loaded = loadLinux(memory, makeKernel(), std::nullopt, "console=ttyS0");
        QVERIFY2(loaded, loaded ? "" : loaded.error().message().c_str());
        QCOMPARE(loaded->initrdSize, uint64_t {0});
        auto params = memory.readObject<boot_params>(kBootParamsAddress);
        QVERIFY(params);
        QCOMPARE(params->hdr.ramdisk_image, uint32_t {0});
        QCOMPARE(params->hdr.ramdisk_size, uint32_t {0});
    }

    void loadLinuxRefusesAnUnusableInitrd_data()
    {
        QTest::addColumn<QString>("name"); // "": the temporary directory itself
        QTest::addColumn<QString>("keyword");
        QTest::newRow("missing") << "no-such-initrd.img"
                                 << "cannot open";
        QTest::newRow("directory") << ""
                                   << "not a regular file";
    }
    void loadLinuxRefusesAnUnusableInitrd()
    {
        QFETCH(QString, name);
        QFETCH(QString, keyword);
        QString path = name.isEmpty() ? m_directory.path() : m_directory.filePath(name);
        GuestMemory memory = makeMemory(32 * MiB);
        auto loaded = loadLinux(memory, makeKernel(), path.toStdString(), "console=ttyS0");
        QVERIFY2(!loaded, "an unusable initrd was accepted");
        QVERIFY2(containsAll(loaded.error().message(), {keyword, path}),
            loaded.error().message().c_str());
    }

    void loadLinuxRefusesAnInitrdLargerThanRam()
    {
        GuestMemory memory = makeMemory(32 * MiB);
        QFile file(m_directory.filePath("big.img"));
        QVERIFY(file.open(QIODevice::WriteOnly) && file.resize(qint64 {40} << 20));
        file.close();
        auto loaded =
            loadLinux(memory, makeKernel(), file.fileName().toStdString(), "console=ttyS0");
        QVERIFY2(!loaded, "a 40 MiB initrd was loaded into 32 MiB of RAM");
        QVERIFY2(containsAll(loaded.error().message(), {"40 MiB", "more memory"}),
            loaded.error().message().c_str());
    }

    void loadLinuxRefusesAKernelThatDoesNotFitInLowMemory_data()
    {
        QTest::addColumn<quint64>("prefAddress");
        QTest::addColumn<quint32>("initSize");
        QTest::addColumn<QString>("needed");
        // Unpacked at 2 MiB (1 MiB aligned up to kernel_alignment), it needs up to 42 MiB.
        QTest::newRow("too large in place") << quint64 {0} << quint32 {40 * MiB} << "42 MiB";
        // Moved to pref_address (16 MiB) it needs up to 36 MiB: loaded anyway into 32 MiB, the
        // decompressor would write past the end of RAM.
        QTest::newRow("too large once moved")
            << quint64 {16 * MiB} << quint32 {20 * MiB} << "36 MiB";
    }
    void loadLinuxRefusesAKernelThatDoesNotFitInLowMemory()
    {
        QFETCH(quint64, prefAddress);
        QFETCH(quint32, initSize);
        QFETCH(QString, needed);
        setup_header header = validHeader();
        header.pref_address = prefAddress;
        header.init_size = initSize;
        GuestMemory memory = makeMemory(32 * MiB);
        auto loaded = loadLinux(memory, makeKernel(header), std::nullopt, "console=ttyS0");
        QVERIFY2(!loaded, "a kernel that does not fit was loaded into 32 MiB");
        QVERIFY2(containsAll(loaded.error().message(), {needed, "more memory"}),
            loaded.error().message().c_str());
    }

    void loadLinuxRefusesACommandLineLongerThanTheKernelBuffer()
    {
        GuestMemory memory = makeMemory(32 * MiB);
        BzImage kernel = makeKernel();
        auto fits =
            loadLinux(memory, kernel, std::nullopt, std::string(kCommandLineCapacity - 1, 'x'));
        QVERIFY2(fits, fits ? "" : fits.error().message().c_str());
        auto tooLong =
            loadLinux(memory, kernel, std::nullopt, std::string(kCommandLineCapacity, 'x'));
        QVERIFY2(!tooLong, "a command line without room for its NUL was loaded");
        QVERIFY2(containsAll(tooLong.error().message(), {"too long"}),
            tooLong.error().message().c_str());
    }
};

QTEST_APPLESS_MAIN(BootParamsTest)
#include "tst_boot_params.moc"
