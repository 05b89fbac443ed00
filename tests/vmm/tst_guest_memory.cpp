// Guest RAM as devices and the loader see it: every access is bounds-checked and resolves to RAM
// only. An access outside RAM (past the end, into the MMIO hole, wrapping the address space) must
// fail without touching host memory: that is the line between a guest bug and a host compromise.

#include "memory/GuestMemory.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include <QTest>

using namespace vmm;

Q_DECLARE_METATYPE(std::vector<vmm::GuestRegion>)

namespace {

constexpr uint64_t MiB = 1ull << 20;
constexpr uint64_t GiB = 1ull << 30;
constexpr uint64_t kLowEnd = 3 * GiB; // RAM below the MMIO hole, as ramRegions lays it out
constexpr uint64_t kHighStart = 4 * GiB;
constexpr uint64_t kHighSize = 64 * MiB;

// 3 GiB below the hole and 64 MiB above it; MAP_NORESERVE, so untouched pages cost nothing.
GuestMemory makeMemory()
{
    auto memory = GuestMemory::create({GuestRegion {GuestAddress(0), kLowEnd},
        GuestRegion {GuestAddress(kHighStart), kHighSize}});
    if (!memory)
        qFatal("%s", memory.error().message().c_str());
    return std::move(memory).value();
}

std::vector<uint8_t> pattern(size_t size, uint8_t seed)
{
    std::vector<uint8_t> bytes(size);
    for (size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<uint8_t>(seed + i * 31);
    return bytes;
}

struct [[gnu::packed]] Descriptor {
    uint64_t address;
    uint32_t length;
    uint16_t flags;
    uint16_t next;
};
static_assert(sizeof(Descriptor) == 16);

} // namespace

class GuestMemoryTest : public QObject {
    Q_OBJECT

private slots:
    void writeThenReadGivesTheSameBytes_data()
    {
        QTest::addColumn<quint64>("address");
        QTest::addColumn<quint64>("length");
        QTest::newRow("start of RAM") << quint64 {0} << quint64 {4096};
        QTest::newRow("unaligned, crossing a page") << quint64 {0x7ffd} << quint64 {10};
        QTest::newRow("last byte below the hole") << quint64 {kLowEnd - 1} << quint64 {1};
        QTest::newRow("last page below the hole") << quint64 {kLowEnd - 4096} << quint64 {4096};
        QTest::newRow("first byte above the hole") << quint64 {kHighStart} << quint64 {1};
        QTest::newRow("end of RAM") << quint64 {kHighStart + kHighSize - 100} << quint64 {100};
        QTest::newRow("one MiB above the hole") << quint64 {kHighStart + 4096} << quint64 {MiB};
    }
    void writeThenReadGivesTheSameBytes()
    {
        QFETCH(quint64, address);
        QFETCH(quint64, length);
        GuestMemory memory = makeMemory();
        std::vector<uint8_t> written = pattern(length, 0x5a);
        auto write = memory.write(GuestAddress(address), written);
        QVERIFY2(write, write ? "" : write.error().message().c_str());
        std::vector<uint8_t> read(length, 0);
        auto result = memory.read(GuestAddress(address), read);
        QVERIFY2(result, result ? "" : result.error().message().c_str());
        QVERIFY(read == written);
    }

    void regionsAreSeparateMemory()
    {
        GuestMemory memory = makeMemory();
        QCOMPARE(memory.size(), kLowEnd + kHighSize);
        QVERIFY(memory.write(GuestAddress(0x1000), pattern(16, 1)));
        std::array<uint8_t, 16> above {};
        QVERIFY(memory.read(GuestAddress(kHighStart + 0x1000), above));
        QVERIFY2(std::all_of(above.begin(), above.end(), [](uint8_t byte) { return byte == 0; }),
            "a write below the hole shows up above it");

        uint8_t* low = memory.hostAddress(memory.regions()[0]);
        uint8_t* high = memory.hostAddress(memory.regions()[1]);
        QVERIFY(low && high);
        QCOMPARE(static_cast<uint64_t>(high - low), kLowEnd);
        QVERIFY2(!memory.hostAddress(GuestRegion {GuestAddress(2 * GiB), 4096}),
            "host address for a region that is not RAM");
    }

    void sliceIsTheHostViewOfTheRange()
    {
        GuestMemory memory = makeMemory();
        auto slice = memory.slice(GuestAddress(kHighStart + 0x2000), 8);
        QVERIFY2(slice, slice ? "" : slice.error().message().c_str());
        QCOMPARE(slice->size(), size_t {8});
        std::fill(slice->begin(), slice->end(), uint8_t {0xab});
        auto value = memory.readObject<uint64_t>(GuestAddress(kHighStart + 0x2000));
        QVERIFY(value);
        QCOMPARE(*value, uint64_t {0xabababababababab});
    }

    void accessOutsideRamFailsAndTouchesNothing_data()
    {
        QTest::addColumn<quint64>("address");
        QTest::addColumn<quint64>("length");
        QTest::newRow("into the MMIO hole") << quint64 {kLowEnd - 8} << quint64 {16};
        QTest::newRow("inside the MMIO hole") << quint64 {0xfec00000} << quint64 {4};
        QTest::newRow("from the hole into high RAM") << quint64 {kHighStart - 8} << quint64 {16};
        QTest::newRow("past the end of RAM")
            << quint64 {kHighStart + kHighSize - 8} << quint64 {16};
        QTest::newRow("entirely past the end") << quint64 {kHighStart + kHighSize} << quint64 {1};
        QTest::newRow("far above RAM") << quint64 {1ull << 52} << quint64 {8};
        QTest::newRow("address + length wraps") << quint64 {~0ull - 7} << quint64 {16};
    }
    void accessOutsideRamFailsAndTouchesNothing()
    {
        QFETCH(quint64, address);
        QFETCH(quint64, length);
        GuestMemory memory = makeMemory();

        std::vector<uint8_t> destination(length, 0xee);
        auto read = memory.read(GuestAddress(address), destination);
        QVERIFY2(!read, "a read outside RAM succeeded");
        QVERIFY2(read.error().message().find("not guest RAM") != std::string::npos ||
                read.error().message().find("overflows") != std::string::npos,
            read.error().message().c_str());
        QVERIFY2(std::all_of(destination.begin(), destination.end(),
                     [](uint8_t byte) { return byte == 0xee; }),
            "a failed read changed the destination");

        auto write = memory.write(GuestAddress(address), pattern(length, 0x11));
        QVERIFY2(!write, "a write outside RAM succeeded");
        // The part of the range that is RAM is left as it was: nothing was half-written.
        for (uint64_t edge : {kLowEnd - 8, kHighStart, kHighStart + kHighSize - 8}) {
            auto bytes = memory.readObject<std::array<uint8_t, 8>>(GuestAddress(edge));
            QVERIFY(bytes);
            QVERIFY2(
                std::all_of(bytes->begin(), bytes->end(), [](uint8_t byte) { return byte == 0; }),
                "a failed write changed guest RAM");
        }

        QVERIFY2(
            !memory.slice(GuestAddress(address), length), "a slice outside RAM was handed out");
    }

    void sliceWithAWrappingLengthFails()
    {
        GuestMemory memory = makeMemory();
        auto slice = memory.slice(GuestAddress(0x1000), ~0ull);
        QVERIFY2(!slice, "a slice whose end wraps was handed out");
        QVERIFY2(slice.error().message().find("overflows") != std::string::npos,
            slice.error().message().c_str());
    }

    void objectsRoundTrip()
    {
        GuestMemory memory = makeMemory();
        Descriptor written {0x1122334455667788, 0x1000, 0x3, 7};
        QVERIFY(memory.writeObject(GuestAddress(0x10ff8), written)); // crosses a page
        auto read = memory.readObject<Descriptor>(GuestAddress(0x10ff8));
        QVERIFY2(read, read ? "" : read.error().message().c_str());
        QCOMPARE(uint64_t {read->address}, uint64_t {0x1122334455667788});
        QCOMPARE(uint32_t {read->length}, uint32_t {0x1000});
        QCOMPARE(uint16_t {read->flags}, uint16_t {0x3});
        QCOMPARE(uint16_t {read->next}, uint16_t {7});

        QVERIFY2(!memory.readObject<Descriptor>(GuestAddress(kLowEnd - 8)),
            "an object across the hole was read");
        QVERIFY2(!memory.writeObject(GuestAddress(kHighStart + kHighSize - 8), written),
            "an object past the end of RAM was written");
    }

    void regionsMustBeNonEmptyPageAlignedAndSorted_data()
    {
        QTest::addColumn<std::vector<GuestRegion>>("regions");
        QTest::addColumn<QString>("keyword");
        using Regions = std::vector<GuestRegion>;
        QTest::newRow("no regions") << Regions {} << "no RAM regions";
        QTest::newRow("empty region") << Regions {{GuestAddress(0), 0}} << "non-empty";
        QTest::newRow("unaligned start")
            << Regions {{GuestAddress(0x800), 64 * MiB}} << "page-aligned";
        QTest::newRow("unaligned size")
            << Regions {{GuestAddress(0), 64 * MiB + 512}} << "page-aligned";
        QTest::newRow("unsorted") << Regions {{GuestAddress(kHighStart), 4096},
                                         {GuestAddress(0), 4096}}
                                  << "not sorted";
        QTest::newRow("overlapping")
            << Regions {{GuestAddress(0), 2 * MiB}, {GuestAddress(MiB), 2 * MiB}} << "overlap";
        QTest::newRow("wrapping") << Regions {{GuestAddress(~0ull - 4095), 8192}} << "wraps";
    }
    // Shredding (DESIGN.md §Shredding): what the guest wrote is gone, only touched pages cost work.
    void shredZeroesWhatTheGuestWroteAndReleasesIt()
    {
        GuestMemory memory = makeMemory();
        const std::string canary = "PATIENT-A-CANARY-7f3c";
        std::span<const uint8_t> canaryBytes(reinterpret_cast<const uint8_t*>(canary.data()), canary.size());
        const std::vector<quint64> addresses {0x1000, kLowEnd - 4096, kHighStart + 5 * MiB};
        for (quint64 address : addresses)
            QVERIFY(memory.write(GuestAddress(address), canaryBytes));

        auto shredded = memory.shred();
        QVERIFY2(shredded, shredded ? "" : shredded.error().message().c_str());
        QCOMPARE(shredded->totalBytes, memory.size());
        QVERIFY(shredded->verifiedZero);
        QVERIFY(shredded->released);
        // Three touched pages were zeroed, not all of RAM (only touched pages cost work; huge pages count whole).
        QVERIFY2(shredded->zeroedBytes >= 3 * 4096 && shredded->zeroedBytes < memory.size() / 4,
            std::to_string(shredded->zeroedBytes).c_str());
        for (quint64 address : addresses) {
            std::vector<uint8_t> read(canary.size(), 0xff);
            QVERIFY(memory.read(GuestAddress(address), read));
            QVERIFY(std::all_of(read.begin(), read.end(), [](uint8_t byte) { return byte == 0; }));
        }
    }

    void ramStartsOnAHugePageBoundary()
    {
        // KVM maps guest RAM with 2 MiB pages only where host and guest addresses agree modulo
        // 2 MiB: region 0 starts at guest 0, so its host address must be 2 MiB-aligned.
        GuestMemory memory = makeMemory();
        uint8_t* host = memory.hostAddress(memory.regions().front());
        QVERIFY(host);
        QCOMPARE(reinterpret_cast<uintptr_t>(host) % (2 * MiB), uintptr_t {0});
        QCOMPARE(memory.residentBytes(), uint64_t {0}); // nothing touched yet
        QVERIFY(memory.write(GuestAddress(0x1000), std::vector<uint8_t>(16, 0x5a)));
        QVERIFY(memory.residentBytes() >= 4096);
    }

    void regionsMustBeNonEmptyPageAlignedAndSorted()
    {
        QFETCH(std::vector<GuestRegion>, regions);
        QFETCH(QString, keyword);
        auto memory = GuestMemory::create(regions);
        QVERIFY2(!memory, "bad regions were accepted");
        QVERIFY2(memory.error().message().find(keyword.toStdString()) != std::string::npos,
            memory.error().message().c_str());
    }
};

QTEST_APPLESS_MAIN(GuestMemoryTest)
#include "tst_guest_memory.moc"
