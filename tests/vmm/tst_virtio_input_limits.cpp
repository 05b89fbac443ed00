// virtio-input (virtio 1.1 §5.8) against a guest that does not keep up or does not play by the
// rules: events held for a driver that posts no buffers stay bounded (whole oldest reports go,
// counted), bad eventq buffers are refused without a crash, and a reset forgets what was pending.

#include "display/InputSink.h"
#include "tst_virtio_input_support.h"

using namespace vmm;
using namespace inputtest;

namespace {

// Whether `events` is a run of whole reports: every one ends in SYN_REPORT.
bool wholeReports(const std::vector<InputEvent>& events)
{
    return !events.empty() && events.back() == kSyn;
}

// Posts buffers and notifies until the device has nothing more to give.
std::vector<InputEvent> drain(InputRig& rig)
{
    std::vector<InputEvent> all;
    for (int round = 0; round < 100; ++round) {
        rig.postEventBuffers(VirtioInputDevice::kQueueSize / 2);
        std::vector<InputEvent> events = rig.takeEvents();
        if (events.empty())
            break;
        all.insert(all.end(), events.begin(), events.end());
    }
    return all;
}

} // namespace

class VirtioInputLimitsTest : public QObject {
    Q_OBJECT

private slots:
    void withoutBuffersPendingEventsStayBounded()
    {
        auto rig = makeRig(VirtioInputDevice::keyboard());
        // 10,000 events (5,000 key reports of 2) while the guest posts no buffer at all.
        constexpr int kReports = 5000;
        for (int i = 0; i < kReports; ++i)
            rig->device->injectKey(uint16_t(KEY_ESC + i % 200), i % 2 == 0);
        const uint64_t injected = 2 * kReports;
        const uint64_t kept = VirtioInputDevice::kMaxPendingEvents;
        QCOMPARE(rig->device->eventsDropped(), injected - kept);

        std::vector<InputEvent> events = drain(*rig);
        QCOMPARE(events.size(), size_t(kept)); // all the device held: 256 events, 2 KiB
        QCOMPARE(rig->device->eventsDelivered(), kept);
        QVERIFY(wholeReports(events));
        // The newest reports survived: the last key injected is the last one delivered.
        const int last = kReports - 1;
        QCOMPARE(describe({events.end() - 2, events.end()}),
            describe({key(uint16_t(KEY_ESC + last % 200), last % 2 == 0), kSyn}));
        QCOMPARE(describe({events.begin(), events.begin() + 2}),
            describe({key(uint16_t(KEY_ESC + (kReports - 128) % 200), 1), kSyn}));
    }

    void droppedReportsAreWholeReports()
    {
        auto rig = makeRig(VirtioInputDevice::tablet(1280, 800));
        // Reports of 3 (moves), 4 (a button) and 2 (a key) events: 256 is no multiple of them.
        for (uint32_t i = 0; i < 1000; ++i) {
            rig->device->injectPointer(i, i, (i % 7 == 0) ? uint32_t {InputSink::kButtonLeft} : 0u);
            if (i % 5 == 0)
                rig->device->injectKey(BTN_MIDDLE, i % 10 == 0);
        }
        std::vector<InputEvent> events = drain(*rig);
        QVERIFY(events.size() <= VirtioInputDevice::kMaxPendingEvents);
        QCOMPARE(rig->device->eventsDelivered() + rig->device->eventsDropped(),
            uint64_t {1000 * 3 + 2 * 200 + 143 * 2}); // moves, middle clicks, left changes
        // Every report the guest sees is a whole one: it starts with ABS_X or a key and ends
        // in SYN_REPORT, never in the middle of another report.
        QVERIFY(wholeReports(events));
        for (size_t i = 0; i + 1 < events.size(); ++i) {
            if (events[i] == kSyn) {
                const InputEvent& next = events[i + 1];
                QVERIFY((next.type == EV_ABS && next.code == ABS_X) || next.type == EV_KEY);
            }
        }
        QCOMPARE(describe({events.end() - 3, events.end()}),
            describe({absolute(ABS_X, 999), absolute(ABS_Y, 799), kSyn})); // y clamped
    }

    void aBegunReportIsFinishedFirst()
    {
        auto rig = makeRig(VirtioInputDevice::tablet(1280, 800));
        rig->postEventBuffers(1);
        rig->device->injectPointer(7, 8, 0);
        QCOMPARE(describe(rig->takeEvents()), describe({absolute(ABS_X, 7)}));
        for (int i = 0; i < 2000; ++i)
            rig->device->injectKey(BTN_LEFT, i % 2 == 0);
        std::vector<InputEvent> events = drain(*rig);
        QVERIFY(events.size() >= 2);
        // The guest gets the rest of the report it started on before anything newer.
        QCOMPARE(
            describe({events.begin(), events.begin() + 2}), describe({absolute(ABS_Y, 8), kSyn}));
        QVERIFY(events.size() <= VirtioInputDevice::kMaxPendingEvents);
        QCOMPARE(describe({events.end() - 2, events.end()}), describe({key(BTN_LEFT, 0), kSyn}));
    }

    void badBuffersAreRefusedWithoutACrash()
    {
        auto rig = makeRig(VirtioInputDevice::keyboard());
        auto& driver = rig->driver;
        uint64_t shortBuffer = driver.allocate(4);
        uint64_t readOnly = driver.allocate(8);
        uint64_t mixed = driver.allocate(16);
        uint64_t large = driver.allocate(64);
        uint64_t good = driver.allocate(8);
        driver.write(large, std::vector<uint8_t>(64, 0xee));
        uint16_t shortHead = driver.addChain(input::kEventQueue, {{shortBuffer, 4, true}});
        uint16_t readOnlyHead = driver.addChain(input::kEventQueue, {{readOnly, 8, false}});
        uint16_t mixedHead =
            driver.addChain(input::kEventQueue, {{mixed, 8, false}, {mixed + 8, 8, true}});
        uint16_t largeHead = driver.addChain(input::kEventQueue, {{large, 64, true}});
        uint16_t goodHead = driver.addChain(input::kEventQueue, {{good, 8, true}});
        rig->bufferOfHead[largeHead] = large;
        rig->bufferOfHead[goodHead] = good;
        driver.notify(input::kEventQueue);

        rig->device->injectKey(KEY_Q, true);
        std::vector<VirtqueueDriver::Used> used;
        while (auto element = driver.takeUsed(input::kEventQueue))
            used.push_back(*element);
        QCOMPARE(used.size(), size_t(5));
        QCOMPARE(used[0].id, uint32_t {shortHead});
        QCOMPARE(used[0].length, 0u);
        QCOMPARE(used[1].id, uint32_t {readOnlyHead});
        QCOMPARE(used[1].length, 0u);
        QCOMPARE(used[2].id, uint32_t {mixedHead});
        QCOMPARE(used[2].length, 0u);
        // A larger buffer carries one event (8 bytes) and nothing else is touched.
        QCOMPARE(used[3].length, input::kEventSize);
        auto bytes = driver.readBytes(large, 64);
        QCOMPARE(bytes[0], uint8_t {EV_KEY});
        QCOMPARE(bytes[2], uint8_t {KEY_Q});
        QVERIFY(std::all_of(bytes.begin() + 8, bytes.end(), [](uint8_t b) { return b == 0xee; }));
        QCOMPARE(used[4].length, input::kEventSize);
        QCOMPARE(driver.readBytes(good, 2), (std::vector<uint8_t> {EV_SYN, 0}));
        // The short buffer's 4 bytes were not written.
        QCOMPARE(driver.readBytes(shortBuffer, 4), std::vector<uint8_t>(4, 0));
        QVERIFY(!rig->needsReset());
        QCOMPARE(rig->device->eventsDelivered(), uint64_t {2});

        // The device goes on as before.
        rig->device->injectKey(KEY_Q, false);
        rig->postEventBuffers(4);
        QCOMPARE(describe(rig->takeEvents()), describe({key(KEY_Q, 0), kSyn}));
    }

    void resetDropsPendingEventsAndButtons()
    {
        auto rig = makeRig(VirtioInputDevice::tablet(1280, 800));
        rig->postEventBuffers(8);
        rig->device->injectPointer(1, 1, InputSink::kButtonLeft); // held across the reset
        rig->takeEvents();
        for (int i = 0; i < 50; ++i)
            rig->device->injectKey(BTN_RIGHT, i % 2 == 0);
        uint64_t deliveredBefore = rig->device->eventsDelivered();

        // The guest's driver goes away and comes back (module reload, kexec): it starts afresh.
        QVERIFY(rig->driver.initialize());
        rig->postEventBuffers(16);
        QVERIFY(rig->takeEvents().empty());
        QCOMPARE(rig->device->eventsDelivered(), deliveredBefore);

        // The new driver believes no button is held, so the held one is pressed again.
        rig->device->injectPointer(2, 2, InputSink::kButtonLeft);
        QCOMPARE(describe(rig->takeEvents()),
            describe({absolute(ABS_X, 2), absolute(ABS_Y, 2), key(BTN_LEFT, 1), kSyn}));
    }
};

QTEST_GUILESS_MAIN(VirtioInputLimitsTest)
#include "tst_virtio_input_limits.moc"
