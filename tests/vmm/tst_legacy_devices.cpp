// The guest's two ways to stop the machine: the PS/2 controller's reset (Linux `reboot=k`) and
// the exit port through which Airlock's init reports the session command's status. Both are
// driven through a port bus placed as the machine places them.

#include "bus/Bus.h"
#include "devices/GuestExitPort.h"
#include "devices/I8042.h"

#include <memory>
#include <optional>
#include <vector>

#include <QTest>

using vmm::Bus;
using vmm::GuestExitPort;
using vmm::I8042;

namespace {

constexpr uint64_t kI8042Base = 0x60;
constexpr uint16_t kDataPort = 0x60;
constexpr uint16_t kStatusPort = 0x64;
constexpr uint8_t kStatusOutputBufferFull = 0x01;
constexpr uint8_t kStatusInputBufferFull = 0x02;

uint8_t inb(const Bus& bus, uint64_t port)
{
    uint8_t value = 0;
    bus.read(port, std::span(&value, 1));
    return value;
}

void outb(const Bus& bus, uint64_t port, uint8_t value)
{
    bus.write(port, std::span(&value, 1));
}

// Linux's i8042 polling: wait at most `limit` status reads for `ready`; false on timeout.
template<typename Ready> bool poll(const Bus& bus, Ready ready, int limit = 10000)
{
    for (int i = 0; i < limit; ++i)
        if (ready(inb(bus, kStatusPort)))
            return true;
    return false;
}

struct Controller {
    Bus bus;
    int resets = 0;
    Controller()
    {
        if (!bus.insert(
                {kI8042Base, I8042::kPortCount}, std::make_shared<I8042>([this] { ++resets; })))
            qFatal("cannot place the i8042 on an empty bus");
    }
    // i8042_command(): wait for the input buffer, send, wait for the answer, read it.
    std::optional<uint8_t> command(uint8_t value)
    {
        if (!poll(bus, [](uint8_t status) { return !(status & kStatusInputBufferFull); }))
            return std::nullopt;
        outb(bus, kStatusPort, value);
        if (!poll(bus, [](uint8_t status) { return status & kStatusOutputBufferFull; }))
            return std::nullopt;
        return inb(bus, kDataPort);
    }
};

} // namespace

class LegacyDevicesTest : public QObject {
    Q_OBJECT

private slots:
    void rebootResetsTheMachine()
    {
        Controller controller;
        // arch/x86/kernel/reboot.c, BOOT_KBD: kb_wait() for an empty input buffer, then 0xfe.
        QVERIFY(poll(
            controller.bus, [](uint8_t status) { return !(status & kStatusInputBufferFull); }));
        QCOMPARE(controller.resets, 0);
        outb(controller.bus, kStatusPort, 0xfe);
        QCOMPARE(controller.resets, 1);
    }

    void statusPollingFindsNothingPending()
    {
        Controller controller;
        // i8042_flush() reads data while OBF is set; an idle controller must report none.
        QCOMPARE(inb(controller.bus, kStatusPort), uint8_t {0});
        QCOMPARE(inb(controller.bus, kDataPort), uint8_t {0});
        QCOMPARE(inb(controller.bus, kStatusPort), uint8_t {0});
    }

    void selfTestAnswers0x55()
    {
        Controller controller;
        QCOMPARE(controller.command(0xaa), std::optional<uint8_t>(0x55));
        QCOMPARE(inb(controller.bus, kStatusPort) & kStatusOutputBufferFull, 0); // answer taken
    }

    void commandByteCanBeReadAndWritten()
    {
        Controller controller;
        // i8042_controller_init(): read the CTR until two reads agree, change it, write it back.
        std::optional<uint8_t> first = controller.command(0x20);
        QVERIFY(first);
        QCOMPARE(controller.command(0x20), first);
        outb(controller.bus, kStatusPort, 0x60);
        outb(controller.bus, kDataPort, 0x65);
        QCOMPARE(controller.command(0x20), std::optional<uint8_t>(0x65));
        // A byte for the (absent) keyboard does not touch the CTR.
        outb(controller.bus, kDataPort, 0xff);
        QCOMPARE(controller.command(0x20), std::optional<uint8_t>(0x65));
        QCOMPARE(controller.resets, 0);
    }

    void otherPortsAndWidthsAreIgnored()
    {
        Controller controller;
        outb(controller.bus, 0x61, 0xfe); // port 0x61 is the PIT's speaker gate, not ours
        outb(controller.bus, 0x63, 0xfe);
        QCOMPARE(inb(controller.bus, 0x62), uint8_t {0});
        QCOMPARE(controller.resets, 0);

        int resets = 0;
        I8042 device([&] { ++resets; });
        const uint8_t wide[2] = {0xfe, 0xfe};
        device.write(I8042::kCommandRegister, wide);
        device.write(I8042::kCommandRegister, std::span(wide, 0));
        QCOMPARE(resets, 0);
        device.write(I8042::kCommandRegister, std::span(wide, 1));
        QCOMPARE(resets, 1);
    }

    void exitStatusIsDelivered()
    {
        Bus bus;
        std::vector<uint8_t> statuses;
        QVERIFY(bus.insert({vmm::kGuestExitPortAddress, 1},
            std::make_shared<GuestExitPort>([&](uint8_t status) { statuses.push_back(status); })));
        outb(bus, vmm::kGuestExitPortAddress, 42);
        outb(bus, vmm::kGuestExitPortAddress, 0);
        QCOMPARE(statuses, (std::vector<uint8_t> {42, 0}));
        QCOMPARE(inb(bus, vmm::kGuestExitPortAddress), uint8_t {0});
    }

    void exitPortIgnoresOtherWidthsAndOffsets()
    {
        std::vector<uint8_t> statuses;
        GuestExitPort port([&](uint8_t status) { statuses.push_back(status); });
        const uint8_t bytes[4] = {7, 0, 0, 0};
        port.write(0, std::span(bytes, 2));
        port.write(0, std::span(bytes, 4));
        port.write(1, std::span(bytes, 1));
        QVERIFY(statuses.empty());
        uint8_t read = 0;
        port.read(0, std::span(&read, 1));
        QCOMPARE(read, uint8_t {0});
    }
};

QTEST_APPLESS_MAIN(LegacyDevicesTest)
#include "tst_legacy_devices.moc"
