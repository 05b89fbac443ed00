// The MP table is how a guest without ACPI finds its vCPUs and the IOAPIC. Each table is read
// back here with offsets taken from the MultiProcessor Specification 1.4 (chapter 4), the way
// Linux's arch/x86/kernel/mpparse.c reads it: a table it rejects is a guest with one CPU and no
// interrupts.

#include "arch/x86_64/Layout.h"
#include "arch/x86_64/MpTable.h"

#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include <QTest>

using namespace vmm::x86_64;

namespace {

constexpr uint32_t kTableAddress = 0x9fc00;
constexpr size_t kPointerSize = 16;
constexpr size_t kHeaderSize = 44;

template<typename T> T field(const std::vector<uint8_t>& bytes, size_t offset)
{
    T value {};
    if (offset + sizeof(T) <= bytes.size())
        std::memcpy(&value, bytes.data() + offset, sizeof(T));
    return value;
}

uint8_t byteSum(const std::vector<uint8_t>& bytes, size_t offset, size_t length)
{
    return std::accumulate(bytes.begin() + static_cast<std::ptrdiff_t>(offset),
        bytes.begin() + static_cast<std::ptrdiff_t>(offset + length), uint8_t {0},
        [](uint8_t sum, uint8_t byte) { return static_cast<uint8_t>(sum + byte); });
}

struct Processor {
    uint8_t apicId;
    uint8_t flags;
};
struct Interrupt {
    uint8_t type; // 3: I/O interrupt, 4: local interrupt
    uint8_t interruptType;
    uint8_t sourceBus;
    uint8_t sourceIrq;
    uint8_t destinationId;
    uint8_t destinationPin;
};
struct IoApic {
    uint8_t id;
    uint8_t flags;
    uint32_t address;
};

// The configuration table's entries, walked by type as mpparse.c does.
struct Entries {
    std::vector<Processor> processors;
    std::vector<std::string> buses;
    std::vector<IoApic> ioApics;
    std::vector<Interrupt> interrupts;
    size_t count = 0;
    std::string problem;
};

Entries parseEntries(const std::vector<uint8_t>& table)
{
    Entries entries;
    size_t offset = kPointerSize + kHeaderSize;
    size_t end = kPointerSize + field<uint16_t>(table, kPointerSize + 4);
    if (end > table.size()) {
        entries.problem = "base table length runs past the table";
        return entries;
    }
    while (offset < end) {
        uint8_t type = table[offset];
        size_t size = type == 0 ? 20 : 8;
        if (type > 4 || offset + size > end) {
            entries.problem = "bad entry at offset " + std::to_string(offset);
            return entries;
        }
        if (type == 0) {
            entries.processors.push_back({table[offset + 1], table[offset + 3]});
        } else if (type == 1) {
            auto name = table.begin() + static_cast<std::ptrdiff_t>(offset + 2);
            entries.buses.emplace_back(name, name + 6);
        } else if (type == 2) {
            entries.ioApics.push_back(
                {table[offset + 1], table[offset + 3], field<uint32_t>(table, offset + 4)});
        } else {
            entries.interrupts.push_back({type, table[offset + 1], table[offset + 4],
                table[offset + 5], table[offset + 6], table[offset + 7]});
        }
        ++entries.count;
        offset += size;
    }
    return entries;
}

std::vector<uint8_t> buildTable(uint32_t vcpuCount)
{
    auto table = buildMpTable(vcpuCount, kTableAddress);
    if (!table)
        qFatal("%s", table.error().message().c_str());
    return *table;
}

void addVcpuCounts()
{
    QTest::addColumn<quint32>("vcpuCount");
    QTest::newRow("1 vCPU") << 1u;
    QTest::newRow("2 vCPUs") << 2u;
    QTest::newRow("7 vCPUs") << 7u;
    QTest::newRow("32 vCPUs") << 32u;
}

} // namespace

class MpTableTest : public QObject {
    Q_OBJECT

private slots:
    void signaturesAndChecksums_data() { addVcpuCounts(); }
    void signaturesAndChecksums()
    {
        QFETCH(quint32, vcpuCount);
        std::vector<uint8_t> table = buildTable(vcpuCount);
        QVERIFY(table.size() >= kPointerSize + kHeaderSize);
        QCOMPARE(std::string(table.begin(), table.begin() + 4), std::string("_MP_"));
        QCOMPARE(std::string(table.begin() + 16, table.begin() + 20), std::string("PCMP"));
        QCOMPARE(byteSum(table, 0, kPointerSize), uint8_t {0});
        uint16_t baseLength = field<uint16_t>(table, kPointerSize + 4);
        QCOMPARE(size_t {baseLength}, table.size() - kPointerSize);
        QCOMPARE(byteSum(table, kPointerSize, baseLength), uint8_t {0});
    }

    void floatingPointerPointsAtTheConfigurationTable()
    {
        std::vector<uint8_t> table = buildTable(2);
        QCOMPARE(field<uint32_t>(table, 4), kTableAddress + 16);
        QCOMPARE(table[8], uint8_t {1}); // length in 16-byte units
        QCOMPARE(table[9], uint8_t {4}); // MP specification 1.4
        QCOMPARE(table[11], uint8_t {0}); // a configuration table follows (no default config)
        QCOMPARE(table[16 + 6], uint8_t {4});
        QCOMPARE(field<uint32_t>(table, kPointerSize + 36), uint32_t {0xfee00000}); // local APIC
    }

    void oneProcessorEntryPerVcpu_data() { addVcpuCounts(); }
    void oneProcessorEntryPerVcpu()
    {
        QFETCH(quint32, vcpuCount);
        std::vector<uint8_t> table = buildTable(vcpuCount);
        Entries entries = parseEntries(table);
        QVERIFY2(entries.problem.empty(), entries.problem.c_str());
        QCOMPARE(entries.count, size_t {field<uint16_t>(table, kPointerSize + 34)});
        QCOMPARE(entries.processors.size(), size_t {vcpuCount});
        for (size_t i = 0; i < entries.processors.size(); ++i) {
            QCOMPARE(size_t {entries.processors[i].apicId}, i);
            QVERIFY2(entries.processors[i].flags & 1, "a vCPU is not marked enabled");
            bool bootProcessor = entries.processors[i].flags & 2;
            QCOMPARE(bootProcessor, i == 0);
        }
    }

    void ioApicAndItsTwentyFourPins_data() { addVcpuCounts(); }
    void ioApicAndItsTwentyFourPins()
    {
        QFETCH(quint32, vcpuCount);
        Entries entries = parseEntries(buildTable(vcpuCount));
        QVERIFY2(entries.problem.empty(), entries.problem.c_str());

        QCOMPARE(entries.buses.size(), size_t {1});
        QCOMPARE(entries.buses[0], std::string("ISA   "));
        QCOMPARE(entries.ioApics.size(), size_t {1});
        const IoApic& ioApic = entries.ioApics[0];
        QCOMPARE(ioApic.address, uint32_t {0xfec00000});
        QVERIFY2(ioApic.flags & 1, "the IOAPIC is not marked usable");
        for (const Processor& processor : entries.processors)
            QVERIFY2(processor.apicId != ioApic.id, "the IOAPIC shares an APIC ID with a vCPU");

        std::vector<Interrupt> ioInterrupts;
        for (const Interrupt& interrupt : entries.interrupts) {
            if (interrupt.type == 3)
                ioInterrupts.push_back(interrupt);
        }
        QCOMPARE(ioInterrupts.size(), size_t {24});
        for (size_t pin = 0; pin < ioInterrupts.size(); ++pin) {
            const Interrupt& interrupt = ioInterrupts[pin];
            QCOMPARE(interrupt.interruptType, uint8_t {0}); // vectored INT
            QCOMPARE(interrupt.sourceIrq, static_cast<uint8_t>(pin));
            QCOMPARE(interrupt.destinationId, ioApic.id);
            QCOMPARE(interrupt.destinationPin, static_cast<uint8_t>(pin));
        }
    }

    void lint0IsExtIntAndLint1IsNmi()
    {
        Entries entries = parseEntries(buildTable(4));
        QVERIFY2(entries.problem.empty(), entries.problem.c_str());
        std::vector<Interrupt> local;
        for (const Interrupt& interrupt : entries.interrupts) {
            if (interrupt.type == 4)
                local.push_back(interrupt);
        }
        QCOMPARE(local.size(), size_t {2});
        auto find = [&](uint8_t interruptType) -> const Interrupt* {
            for (const Interrupt& interrupt : local) {
                if (interrupt.interruptType == interruptType)
                    return &interrupt;
            }
            return nullptr;
        };
        const Interrupt* extInt = find(3);
        const Interrupt* nmi = find(1);
        QVERIFY2(extInt && nmi, "ExtINT or NMI local interrupt entry missing");
        QCOMPARE(extInt->destinationPin, uint8_t {0}); // LINT0
        QCOMPARE(extInt->destinationId, uint8_t {0xff}); // every local APIC
        QCOMPARE(nmi->destinationPin, uint8_t {1}); // LINT1
        QCOMPARE(nmi->destinationId, uint8_t {0xff});
    }

    void vcpuCountOutsideOneToThirtyTwoIsRefused_data()
    {
        QTest::addColumn<quint32>("vcpuCount");
        QTest::newRow("0") << 0u;
        QTest::newRow("33") << 33u;
    }
    void vcpuCountOutsideOneToThirtyTwoIsRefused()
    {
        QFETCH(quint32, vcpuCount);
        auto table = buildMpTable(vcpuCount, kTableAddress);
        QVERIFY2(!table, "an MP table was built for an unsupported vCPU count");
        QVERIFY2(table.error().message().find("between 1 and 32") != std::string::npos,
            table.error().message().c_str());
    }

    void tableForThirtyTwoVcpusFitsBelow640KiB()
    {
        std::vector<uint8_t> table = buildTable(kMaxVcpus);
        QVERIFY2(table.size() <= 1024,
            ("the table is " + std::to_string(table.size()) + " bytes").c_str());
        QVERIFY(kMpTableAddress.value() + table.size() <= 0xa0000);
    }
};

QTEST_APPLESS_MAIN(MpTableTest)
#include "tst_mp_table.moc"
