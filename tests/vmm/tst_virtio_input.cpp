// virtio-input (virtio 1.1 §5.8) as Linux's virtio_input driver meets it: the keyboard and the
// tablet describe themselves through the select/subsel window, and keys, pointer moves, buttons
// and wheel clicks arrive on the eventq as the exact evdev sequences the guest's input core needs.

#include "display/InputSink.h"
#include "tst_virtio_input_support.h"

#include <linux/input.h>

using namespace vmm;
using namespace inputtest;

class VirtioInputTest : public QObject {
    Q_OBJECT

private slots:
    void keyboardDescribesItself()
    {
        auto rig = makeRig(VirtioInputDevice::keyboard());
        QCOMPARE(rig->driver.read32(MmioTransport::kDeviceId), 18u);
        QCOMPARE(rig->configItem(input::kConfigIdName, 0).text(), std::string("Airlock keyboard"));
        QVERIFY(rig->configItem(input::kConfigIdSerial, 0).size > 0);
        ConfigItem ids = rig->configItem(input::kConfigIdDevids, 0);
        QCOMPARE(ids.size, input::kDevidsSize);
        QCOMPARE(ids.le16(0), uint16_t {BUS_VIRTUAL});

        ConfigItem events = rig->configItem(input::kConfigEvBits, EV_KEY);
        for (int code : {KEY_A, KEY_Z, KEY_ENTER, KEY_LEFTSHIFT, KEY_RIGHTCTRL, KEY_F12, KEY_ESC,
                 KEY_SPACE, KEY_UP, KEY_LEFTMETA, KEY_KPENTER, KEY_102ND})
            QVERIFY2(events.hasBit(unsigned(code)), qPrintable(QString::number(code)));
        QVERIFY(!events.hasBit(BTN_LEFT)); // a keyboard, not a mouse
        QVERIFY(rig->configItem(input::kConfigEvBits, EV_REP).size > 0); // autorepeat
        QVERIFY(rig->configItem(input::kConfigEvBits, EV_LED).hasBit(LED_CAPSL));
        QCOMPARE(rig->configItem(input::kConfigEvBits, EV_ABS).size, uint8_t {0});
        QCOMPARE(rig->configItem(input::kConfigEvBits, EV_REL).size, uint8_t {0});
    }

    void tabletDescribesAnAbsolutePointer()
    {
        auto rig = makeRig(VirtioInputDevice::tablet(1280, 800));
        QCOMPARE(rig->configItem(input::kConfigIdName, 0).text(), std::string("Airlock tablet"));
        ConfigItem axes = rig->configItem(input::kConfigEvBits, EV_ABS);
        QVERIFY(axes.hasBit(ABS_X) && axes.hasBit(ABS_Y));
        QVERIFY(rig->configItem(input::kConfigEvBits, EV_REL).hasBit(REL_WHEEL));
        ConfigItem keys = rig->configItem(input::kConfigEvBits, EV_KEY);
        QVERIFY(keys.hasBit(BTN_LEFT) && keys.hasBit(BTN_RIGHT) && keys.hasBit(BTN_MIDDLE));
        QVERIFY(!keys.hasBit(KEY_A));
        QCOMPARE(rig->configItem(input::kConfigEvBits, EV_REP).size, uint8_t {0});
        // A pointer that the guest moves to absolute positions, not a touchscreen.
        QVERIFY(!rig->configItem(input::kConfigPropBits, 0).hasBit(INPUT_PROP_DIRECT));

        ConfigItem x = rig->configItem(input::kConfigAbsInfo, ABS_X);
        ConfigItem y = rig->configItem(input::kConfigAbsInfo, ABS_Y);
        QCOMPARE(x.size, input::kAbsInfoSize);
        QCOMPARE(x.le32(0), 0u); // min
        QCOMPARE(x.le32(4), 1279u); // max = width - 1
        QCOMPARE(y.le32(4), 799u); // max = height - 1
    }

    void unknownItemsHaveSizeZero_data()
    {
        QTest::addColumn<int>("select");
        QTest::addColumn<int>("subsel");
        QTest::newRow("unset") << 0 << 0;
        QTest::newRow("unknown select") << 0x04 << 0;
        QTest::newRow("all ones") << 0xff << 0xff;
        QTest::newRow("name with subsel") << int(input::kConfigIdName) << 1;
        QTest::newRow("devids with subsel") << int(input::kConfigIdDevids) << 0x80;
        QTest::newRow("properties with subsel") << int(input::kConfigPropBits) << 7;
        QTest::newRow("event type past EV_MAX") << int(input::kConfigEvBits) << 0xff;
        QTest::newRow("event type not sent") << int(input::kConfigEvBits) << int(EV_MSC);
        QTest::newRow("axis not present") << int(input::kConfigAbsInfo) << int(ABS_Z);
        QTest::newRow("axis past ABS_MAX") << int(input::kConfigAbsInfo) << 0xff;
    }
    void unknownItemsHaveSizeZero()
    {
        QFETCH(int, select);
        QFETCH(int, subsel);
        auto rig = makeRig(VirtioInputDevice::tablet(640, 480));
        ConfigItem item = rig->configItem(uint8_t(select), uint8_t(subsel));
        QCOMPARE(item.size, uint8_t {0});
        QVERIFY(
            std::all_of(item.payload.begin(), item.payload.end(), [](uint8_t b) { return !b; }));
        // The header reads back what the driver selected.
        QCOMPARE(rig->driver.readConfig(0, 2),
            (std::vector<uint8_t> {uint8_t(select), uint8_t(subsel)}));
    }

    void hostileConfigWritesChangeNothingElse()
    {
        auto rig = makeRig(VirtioInputDevice::keyboard());
        rig->configItem(input::kConfigIdName, 0);
        // Writes to size, reserved bytes, the union and past the structure are ignored.
        std::vector<uint8_t> garbage(300, 0xa5);
        rig->transport->write(
            MmioTransport::kConfig + input::kConfigSizeOffset, std::span(garbage).first(64));
        rig->transport->write(MmioTransport::kConfig + input::kConfigUnionOffset, garbage);
        rig->transport->write(MmioTransport::kConfig + 200, std::span(garbage).first(8));
        QCOMPARE(rig->driver.readConfig(input::kConfigSizeOffset, 1)[0], uint8_t {16});
        QCOMPARE(rig->driver.readConfig(input::kConfigUnionOffset, 16),
            (std::vector<uint8_t> {
                'A', 'i', 'r', 'l', 'o', 'c', 'k', ' ', 'k', 'e', 'y', 'b', 'o', 'a', 'r', 'd'}));
        // A 4-byte write at 0 sets select and subsel and nothing more.
        rig->driver.write32(
            MmioTransport::kConfig, 0xffff0000u | EV_KEY << 8 | input::kConfigEvBits);
        ConfigItem keys;
        keys.size = rig->driver.readConfig(input::kConfigSizeOffset, 1)[0];
        keys.payload = rig->driver.readConfig(input::kConfigUnionOffset, 128);
        QVERIFY(keys.size > 0 && keys.hasBit(KEY_A));
        // Reads that run past the structure's 136 bytes get zeros there.
        std::vector<uint8_t> tail = rig->driver.readConfig(input::kConfigSize - 4, 8);
        QVERIFY(std::all_of(tail.begin() + 4, tail.end(), [](uint8_t b) { return !b; }));
        QVERIFY(!rig->needsReset());
    }

    void tabletSizesAreClamped()
    {
        // A zero-sized display still gives a valid axis (0..0), never max = 2^32-1.
        auto rig = makeRig(VirtioInputDevice::tablet(0, 0xffffffffu));
        QCOMPARE(rig->configItem(input::kConfigAbsInfo, ABS_X).le32(4), 0u);
        QCOMPARE(rig->configItem(input::kConfigAbsInfo, ABS_Y).le32(4), 0x7ffffffeu);
    }

    void keyInjectedBeforeBuffersArrivesInOrder()
    {
        auto rig = makeRig(VirtioInputDevice::keyboard());
        rig->device->injectKey(KEY_LEFTSHIFT, true);
        rig->device->injectKey(KEY_A, true);
        rig->device->injectKey(KEY_A, false);
        rig->device->injectKey(KEY_LEFTSHIFT, false);
        QVERIFY(!rig->driver.takeUsed(input::kEventQueue));
        QCOMPARE(rig->device->eventsDelivered(), uint64_t {0});

        rig->postEventBuffers(16);
        QCOMPARE(describe(rig->takeEvents()),
            describe({key(KEY_LEFTSHIFT, 1), kSyn, key(KEY_A, 1), kSyn, key(KEY_A, 0), kSyn,
                key(KEY_LEFTSHIFT, 0), kSyn}));
        QCOMPARE(rig->driver.acknowledgeInterrupt(), virtio::kInterruptUsedBuffer);
        QCOMPARE(rig->device->eventsDelivered(), uint64_t {8});
        QCOMPARE(rig->device->eventsDropped(), uint64_t {0});
    }

    void keyInjectedWithBuffersPostedArrivesAtOnce()
    {
        auto rig = makeRig(VirtioInputDevice::keyboard());
        rig->postEventBuffers(4);
        QCOMPARE(rig->driver.acknowledgeInterrupt(), 0u);
        rig->device->injectKey(KEY_ENTER, true); // no notification: the injection delivers
        QCOMPARE(describe(rig->takeEvents()), describe({key(KEY_ENTER, 1), kSyn}));
        QCOMPARE(rig->driver.acknowledgeInterrupt(), virtio::kInterruptUsedBuffer);
    }

    void buffersRunningOutHoldTheRestOfAReport()
    {
        auto rig = makeRig(VirtioInputDevice::tablet(1280, 800));
        rig->postEventBuffers(2);
        rig->device->injectPointer(10, 20, InputSink::kButtonLeft);
        QCOMPARE(describe(rig->takeEvents()), describe({absolute(ABS_X, 10), absolute(ABS_Y, 20)}));
        rig->postEventBuffers(8);
        QCOMPARE(describe(rig->takeEvents()), describe({key(BTN_LEFT, 1), kSyn}));
    }

    void pointerMovesAndButtonsGiveExactSequences()
    {
        auto rig = makeRig(VirtioInputDevice::tablet(1280, 800));
        rig->postEventBuffers(64);
        auto& device = *rig->device;
        device.injectPointer(100, 200, 0);
        QCOMPARE(describe(rig->takeEvents()),
            describe({absolute(ABS_X, 100), absolute(ABS_Y, 200), kSyn}));
        device.injectPointer(100, 200, InputSink::kButtonLeft);
        QCOMPARE(describe(rig->takeEvents()),
            describe({absolute(ABS_X, 100), absolute(ABS_Y, 200), key(BTN_LEFT, 1), kSyn}));
        // A drag: the held button is not repeated.
        device.injectPointer(150, 210, InputSink::kButtonLeft);
        QCOMPARE(describe(rig->takeEvents()),
            describe({absolute(ABS_X, 150), absolute(ABS_Y, 210), kSyn}));
        device.injectPointer(
            150, 210, InputSink::kButtonLeft | InputSink::kButtonMiddle | InputSink::kButtonRight);
        QCOMPARE(describe(rig->takeEvents()),
            describe({absolute(ABS_X, 150), absolute(ABS_Y, 210), key(BTN_MIDDLE, 1),
                key(BTN_RIGHT, 1), kSyn}));
        device.injectPointer(1279, 799, 0);
        QCOMPARE(describe(rig->takeEvents()),
            describe({absolute(ABS_X, 1279), absolute(ABS_Y, 799), key(BTN_LEFT, 0),
                key(BTN_MIDDLE, 0), key(BTN_RIGHT, 0), kSyn}));
        // Coordinates past the screen are clamped to the axis the guest was told about.
        device.injectPointer(5000, 0xffffffffu, 0);
        QCOMPARE(describe(rig->takeEvents()),
            describe({absolute(ABS_X, 1279), absolute(ABS_Y, 799), kSyn}));
    }

    void wheelBitsAreClicks()
    {
        auto rig = makeRig(VirtioInputDevice::tablet(1280, 800));
        rig->postEventBuffers(64);
        auto& device = *rig->device;
        device.injectPointer(5, 6, InputSink::kWheelUp);
        QCOMPARE(describe(rig->takeEvents()),
            describe({absolute(ABS_X, 5), absolute(ABS_Y, 6), wheel(1), kSyn}));
        // The same bit again is another click (momentary, unlike buttons).
        device.injectPointer(5, 6, InputSink::kWheelUp);
        QCOMPARE(describe(rig->takeEvents()),
            describe({absolute(ABS_X, 5), absolute(ABS_Y, 6), wheel(1), kSyn}));
        device.injectPointer(5, 6, InputSink::kWheelDown | InputSink::kButtonRight);
        QCOMPARE(describe(rig->takeEvents()),
            describe({absolute(ABS_X, 5), absolute(ABS_Y, 6), key(BTN_RIGHT, 1), wheel(-1), kSyn}));
    }

    void eachDeviceSendsOnlyWhatItAnnounced()
    {
        auto keyboard = makeRig(VirtioInputDevice::keyboard());
        keyboard->postEventBuffers(16);
        keyboard->device->injectPointer(1, 2, InputSink::kButtonLeft);
        keyboard->device->injectKey(BTN_LEFT, true);
        keyboard->device->injectKey(0x2ff, true);
        QVERIFY(keyboard->takeEvents().empty());

        auto tablet = makeRig(VirtioInputDevice::tablet(640, 480));
        tablet->postEventBuffers(16);
        tablet->device->injectKey(KEY_A, true);
        QVERIFY(tablet->takeEvents().empty());
        tablet->device->injectKey(BTN_MIDDLE, true);
        QCOMPARE(describe(tablet->takeEvents()), describe({key(BTN_MIDDLE, 1), kSyn}));
    }

    void statusBuffersAreReturned()
    {
        auto rig = makeRig(VirtioInputDevice::keyboard());
        // The guest's kernel sends LED states (EV_LED LED_CAPSL 1) on the statusq.
        uint64_t led = rig->driver.allocate(8);
        rig->driver.write(led, std::vector<uint8_t> {EV_LED, 0, LED_CAPSL, 0, 1, 0, 0, 0});
        for (int i = 0; i < 3; ++i)
            rig->driver.addChain(input::kStatusQueue, {{led, 8, false}});
        rig->driver.notify(input::kStatusQueue);
        for (int i = 0; i < 3; ++i) {
            auto used = rig->driver.takeUsed(input::kStatusQueue);
            QVERIFY(used);
            QCOMPARE(used->length, 0u);
        }
        QCOMPARE(rig->driver.acknowledgeInterrupt(), virtio::kInterruptUsedBuffer);
        QVERIFY(!rig->needsReset());
    }
};

QTEST_GUILESS_MAIN(VirtioInputTest)
#include "tst_virtio_input.moc"
