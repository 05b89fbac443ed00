// The port/MMIO bus as vCPU exits use it: which device an access reaches, at which offset, and
// what the guest sees where no device is.

#include "bus/Bus.h"

#include <memory>
#include <vector>

#include <QTest>

using vmm::Bus;
using vmm::BusRange;

namespace {

// A device that records every access and answers reads with a fixed pattern.
class RecordingDevice final : public vmm::BusDevice {
public:
    struct Access {
        bool isWrite = false;
        uint64_t offset = 0;
        std::vector<uint8_t> data;
    };

    void read(uint64_t offset, std::span<uint8_t> data) override
    {
        m_accesses.push_back({false, offset, {data.begin(), data.end()}});
        if (!data.empty())
            data[0] = m_readValue;
    }
    void write(uint64_t offset, std::span<const uint8_t> data) override
    {
        m_accesses.push_back({true, offset, {data.begin(), data.end()}});
    }

    const std::vector<Access>& accesses() const { return m_accesses; }
    void setReadValue(uint8_t value) { m_readValue = value; }

private:
    std::vector<Access> m_accesses;
    uint8_t m_readValue = 0x5a;
};

} // namespace

class BusTest : public QObject {
    Q_OBJECT

private slots:
    void overlappingRangesAreRejected_data()
    {
        QTest::addColumn<uint64_t>("base");
        QTest::addColumn<uint64_t>("length");
        QTest::newRow("same range") << uint64_t {0x3f8} << uint64_t {8};
        QTest::newRow("runs into it from below") << uint64_t {0x3f0} << uint64_t {9};
        QTest::newRow("starts inside it") << uint64_t {0x3ff} << uint64_t {8};
        QTest::newRow("inside it") << uint64_t {0x3fa} << uint64_t {2};
        QTest::newRow("encloses it") << uint64_t {0x300} << uint64_t {0x200};
    }
    void overlappingRangesAreRejected()
    {
        QFETCH(uint64_t, base);
        QFETCH(uint64_t, length);
        Bus bus;
        QVERIFY(bus.insert({0x3f8, 8}, std::make_shared<RecordingDevice>()));
        auto result = bus.insert({base, length}, std::make_shared<RecordingDevice>());
        QVERIFY(!result);
        // The error names the conflict, so whoever wired the machine can find it.
        const std::string message = result.error().message();
        QVERIFY2(message.find("overlaps") != std::string::npos, message.c_str());
        QVERIFY2(message.find("0x3f8") != std::string::npos, message.c_str());
    }

    void emptyWrappingAndMissingDevicesAreRejected()
    {
        Bus bus;
        QVERIFY(!bus.insert({0x60, 0}, std::make_shared<RecordingDevice>()));
        QVERIFY(!bus.insert({~uint64_t {0} - 1, 4}, std::make_shared<RecordingDevice>()));
        QVERIFY(!bus.insert({0x60, 1}, nullptr));
    }

    void adjacentRangesAreAcceptedAndKeptApart()
    {
        Bus bus;
        auto low = std::make_shared<RecordingDevice>();
        auto middle = std::make_shared<RecordingDevice>();
        auto high = std::make_shared<RecordingDevice>();
        QVERIFY(bus.insert({0x3f8, 8}, middle));
        QVERIFY(bus.insert({0x3f0, 8}, low));
        QVERIFY(bus.insert({0x400, 1}, high));

        uint8_t byte = 1;
        QVERIFY(bus.write(0x3f7, std::span(&byte, 1)));
        QVERIFY(bus.write(0x3f8, std::span(&byte, 1)));
        QVERIFY(bus.write(0x3ff, std::span(&byte, 1)));
        QVERIFY(bus.write(0x400, std::span(&byte, 1)));
        QCOMPARE(low->accesses().size(), size_t {1});
        QCOMPARE(low->accesses()[0].offset, uint64_t {7});
        QCOMPARE(middle->accesses().size(), size_t {2});
        QCOMPARE(middle->accesses()[0].offset, uint64_t {0});
        QCOMPARE(middle->accesses()[1].offset, uint64_t {7});
        QCOMPARE(high->accesses().size(), size_t {1});
        QCOMPARE(high->accesses()[0].offset, uint64_t {0});
    }

    void unknownAddressesReadAllOnesAndDropWrites()
    {
        Bus bus;
        auto device = std::make_shared<RecordingDevice>();
        QVERIFY(bus.insert({0x3f8, 8}, device));

        uint8_t data[4] = {0, 0, 0, 0};
        QVERIFY(!bus.read(0x2f8, data)); // COM2: nothing there
        for (uint8_t byte : data)
            QCOMPARE(byte, uint8_t {0xff}); // a floating ISA bus: how Linux sees "no UART"
        QVERIFY(!bus.read(0x3f7, std::span(data, 1)));
        QVERIFY(!bus.read(0x400, std::span(data, 1)));
        const uint8_t value = 0x42;
        QVERIFY(!bus.write(0x2f8, std::span(&value, 1)));
        QVERIFY(device->accesses().empty());
    }

    void accessStraddlingTheEndIsNotDispatched()
    {
        Bus bus;
        auto device = std::make_shared<RecordingDevice>();
        auto next = std::make_shared<RecordingDevice>();
        QVERIFY(bus.insert({0x60, 5}, device));
        QVERIFY(bus.insert({0x65, 1}, next));

        uint8_t data[4] = {0, 0, 0, 0};
        QVERIFY(!bus.read(0x64, std::span(data, 2)));
        QCOMPARE(data[0], uint8_t {0xff});
        const uint32_t word = 0xfefefefe;
        QVERIFY(!bus.write(0x63, std::span(reinterpret_cast<const uint8_t*>(&word), 4)));
        QVERIFY(device->accesses().empty());
        QVERIFY(next->accesses().empty());

        QVERIFY(bus.read(0x64, std::span(data, 1))); // the last byte itself is the device's
        QCOMPARE(device->accesses().size(), size_t {1});
        QCOMPARE(device->accesses()[0].offset, uint64_t {4});
    }

    void offsetsAreRelativeToTheBaseAndReadsStartZeroed()
    {
        Bus bus;
        auto device = std::make_shared<RecordingDevice>();
        QVERIFY(bus.insert({0xc000'1000, 0x1000}, device));

        const uint32_t value = 0x12345678;
        QVERIFY(bus.write(0xc000'1050, std::span(reinterpret_cast<const uint8_t*>(&value), 4)));
        QCOMPARE(device->accesses().back().offset, uint64_t {0x50});
        QCOMPARE(device->accesses().back().data, (std::vector<uint8_t> {0x78, 0x56, 0x34, 0x12}));

        uint8_t data[4] = {0xaa, 0xaa, 0xaa, 0xaa};
        QVERIFY(bus.read(0xc000'1ffc, data));
        QCOMPARE(device->accesses().back().offset, uint64_t {0xffc});
        // The device saw a zeroed buffer and set only the first byte.
        QCOMPARE(device->accesses().back().data, (std::vector<uint8_t> {0, 0, 0, 0}));
        QCOMPARE(data[0], uint8_t {0x5a});
        QCOMPARE(data[3], uint8_t {0});
    }
};

QTEST_APPLESS_MAIN(BusTest)
#include "tst_bus.moc"
