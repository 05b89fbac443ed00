// The virtio-mmio register window as Linux's virtio_mmio driver and a careless or hostile one
// meet it (virtio 1.1 §4.2.2): identification, exact widths and offsets, feature negotiation,
// the status state machine and reset, queue setup validation, notifications through the event
// loop, and the interrupt registers.

#include "RecordingVirtioDevice.h"
#include "VirtqueueDriver.h"
#include "memory/GuestMemory.h"
#include "sys/EventLoop.h"
#include "virtio/MmioTransport.h"
#include "virtio/VirtioSpec.h"

#include <atomic>
#include <memory>
#include <poll.h>
#include <thread>

#include <QTest>

using namespace vmm;
using T = MmioTransport;

namespace {

constexpr uint64_t kDeviceFeatureBit0 = 1; // a device-specific feature the test device offers

struct Rig {
    GuestMemory memory;
    EventLoop loop;
    std::shared_ptr<RecordingVirtioDevice> device;
    std::shared_ptr<MmioTransport> transport;
    VirtqueueDriver driver;

    Rig(GuestMemory memoryIn, EventLoop loopIn)
        : memory(std::move(memoryIn))
        , loop(std::move(loopIn))
        , device(std::make_shared<RecordingVirtioDevice>(std::vector<uint16_t> {16, 8},
              virtio::featureBit(virtio::kFeatureVersion1) | kDeviceFeatureBit0))
        , transport(MmioTransport::create(device, memory).value())
        , driver(memory, *transport, &loop)
    {
        if (!transport->attach(loop))
            qFatal("attach failed");
    }
};

std::unique_ptr<Rig> makeRig()
{
    auto memory = GuestMemory::create({GuestRegion {GuestAddress(0), 4 << 20}});
    auto loop = EventLoop::create();
    if (!memory || !loop)
        qFatal("cannot create the rig");
    return std::make_unique<Rig>(std::move(*memory), std::move(*loop));
}

bool readable(int fd)
{
    pollfd descriptor {fd, POLLIN, 0};
    return ::poll(&descriptor, 1, 0) == 1;
}

} // namespace

class VirtioMmioTest : public QObject {
    Q_OBJECT

private slots:
    void identifiesAsVersion2()
    {
        auto rig = makeRig();
        QCOMPARE(rig->driver.read32(T::kMagicValue), 0x74726976u);
        QCOMPARE(rig->driver.read32(T::kVersion), 2u);
        QCOMPARE(rig->driver.read32(T::kDeviceId), virtio::kDeviceIdEntropy);
        QCOMPARE(rig->driver.read32(T::kVendorId), T::kVendor);
        QCOMPARE(rig->driver.deviceFeatures(),
            virtio::featureBit(virtio::kFeatureVersion1) | kDeviceFeatureBit0);
        rig->driver.write32(T::kDeviceFeaturesSel, 2);
        QCOMPARE(rig->driver.read32(T::kDeviceFeatures), 0u);
    }

    void queueNumMaxIsZeroForAbsentQueues()
    {
        auto rig = makeRig();
        rig->driver.write32(T::kQueueSel, 0);
        QCOMPARE(rig->driver.read32(T::kQueueNumMax), 16u);
        rig->driver.write32(T::kQueueSel, 1);
        QCOMPARE(rig->driver.read32(T::kQueueNumMax), 8u);
        rig->driver.write32(T::kQueueSel, 2);
        QCOMPARE(rig->driver.read32(T::kQueueNumMax), 0u);
        rig->driver.write32(T::kQueueSel, 0xffffffffu);
        QCOMPARE(rig->driver.read32(T::kQueueNumMax), 0u);
    }

    void onlyAligned32BitAccessesReachRegisters()
    {
        auto rig = makeRig();
        uint8_t bytes[8] = {};
        rig->transport->read(T::kMagicValue, std::span(bytes, 1));
        QCOMPARE(bytes[0], uint8_t {0});
        rig->transport->read(T::kMagicValue, std::span(bytes, 2));
        QCOMPARE(bytes[0], uint8_t {0});
        rig->transport->read(T::kMagicValue, std::span(bytes, 8));
        QCOMPARE(bytes[0], uint8_t {0});
        rig->transport->read(T::kMagicValue + 1, std::span(bytes, 4));
        QCOMPARE(bytes[0], uint8_t {0});
        // A 1-byte Status write is dropped; so is a misaligned 4-byte one.
        uint8_t acknowledge[4] = {virtio::kStatusAcknowledge, 0, 0, 0};
        rig->transport->write(T::kStatus, std::span<const uint8_t>(acknowledge, 1));
        rig->transport->write(T::kStatus + 2, std::span<const uint8_t>(acknowledge, 4));
        QCOMPARE(rig->driver.status(), 0u);
    }

    void unknownOffsetsReadZeroAndIgnoreWrites()
    {
        auto rig = makeRig();
        for (uint64_t offset :
            {0x018ull, 0x040ull, 0x058ull, 0x0acull, 0x0b0ull, 0x0c0ull, 0x0f8ull}) {
            rig->driver.write32(offset, 0xffffffffu);
            QCOMPARE(rig->driver.read32(offset), 0u);
        }
        // Write-only registers read as zero too, and read-only ones ignore writes.
        QCOMPARE(rig->driver.read32(T::kQueueNotify), 0u);
        rig->driver.write32(T::kMagicValue, 0);
        QCOMPARE(rig->driver.read32(T::kMagicValue), 0x74726976u);
        QCOMPARE(rig->device->resets, 0);
        QCOMPARE(rig->driver.status(), 0u);
    }

    void configSpaceTakesAnyWidth()
    {
        auto rig = makeRig();
        QCOMPARE(rig->driver.readConfig(0, 1), (std::vector<uint8_t> {0xc0}));
        QCOMPARE(rig->driver.readConfig(2, 2), (std::vector<uint8_t> {0xc2, 0xc3}));
        QCOMPARE(rig->driver.readConfig(4, 4), (std::vector<uint8_t> {0xc4, 0xc5, 0xc6, 0xc7}));
    }

    void linuxProbeActivatesTheDevice()
    {
        auto rig = makeRig();
        QVERIFY(rig->driver.initialize(kDeviceFeatureBit0));
        QCOMPARE(rig->device->activations, 1);
        QCOMPARE(rig->device->acceptedFeatures,
            virtio::featureBit(virtio::kFeatureVersion1) | kDeviceFeatureBit0);
        QCOMPARE(rig->device->activeSizes, (std::vector<uint16_t> {16, 8}));
        QVERIFY(rig->transport->isActive());
    }

    void featuresNotOfferedOrWithoutVersion1AreRefused_data()
    {
        QTest::addColumn<quint64>("features");
        QTest::newRow("not offered") << quint64 {virtio::featureBit(virtio::kFeatureVersion1) | 4};
        QTest::newRow("event idx") << quint64 {virtio::featureBit(virtio::kFeatureVersion1) |
            virtio::featureBit(virtio::kFeatureRingEventIdx)};
        QTest::newRow("legacy driver") << quint64 {kDeviceFeatureBit0};
    }
    void featuresNotOfferedOrWithoutVersion1AreRefused()
    {
        QFETCH(quint64, features);
        auto rig = makeRig();
        QVERIFY(!rig->driver.negotiate(features));
        // Without FEATURES_OK the queues cannot be configured and DRIVER_OK is refused.
        QVERIFY(!rig->driver.setupQueue(0));
        rig->driver.addStatus(virtio::kStatusDriverOk);
        QVERIFY(!(rig->driver.status() & virtio::kStatusDriverOk));
        QCOMPARE(rig->device->activations, 0);
    }

    void statusBitsMustComeInOrder()
    {
        auto rig = makeRig();
        rig->driver.write32(T::kStatus, virtio::kStatusDriver); // without ACKNOWLEDGE
        QCOMPARE(rig->driver.status(), 0u);
        rig->driver.write32(T::kStatus,
            virtio::kStatusAcknowledge | virtio::kStatusDriver |
                virtio::kStatusDriverOk); // DRIVER_OK before FEATURES_OK
        QCOMPARE(rig->driver.status(), 0u);
        rig->driver.write32(T::kStatus, virtio::kStatusAcknowledge | virtio::kStatusDriver);
        QCOMPARE(rig->driver.status(), virtio::kStatusAcknowledge | virtio::kStatusDriver);
        rig->driver.write32(T::kStatus, virtio::kStatusAcknowledge); // clearing without reset
        QCOMPARE(rig->driver.status(), virtio::kStatusAcknowledge | virtio::kStatusDriver);
        rig->driver.write32(T::kStatus,
            virtio::kStatusAcknowledge | virtio::kStatusDriver |
                virtio::kStatusDeviceNeedsReset); // the device's bit is not the driver's
        QCOMPARE(rig->driver.status(), virtio::kStatusAcknowledge | virtio::kStatusDriver);
        rig->driver.addStatus(virtio::kStatusFailed);
        QVERIFY(rig->driver.status() & virtio::kStatusFailed);
    }

    void writingZeroToStatusResetsEverything()
    {
        auto rig = makeRig();
        QVERIFY(rig->driver.initialize());
        rig->device->interrupt->signalUsedBuffers();
        QVERIFY(rig->driver.read32(T::kInterruptStatus) != 0);
        int resetsBefore = rig->device->resets;
        rig->driver.reset();
        QCOMPARE(rig->driver.status(), 0u);
        QCOMPARE(rig->device->resets, resetsBefore + 1);
        QVERIFY(!rig->transport->isActive());
        QCOMPARE(rig->driver.read32(T::kInterruptStatus), 0u);
        rig->driver.write32(T::kQueueSel, 0);
        QCOMPARE(rig->driver.read32(T::kQueueReady), 0u);
        // And the device can be probed again.
        QVERIFY(rig->driver.initialize());
        QCOMPARE(rig->device->activations, 2);
    }

    void queueSizeMustBeAPowerOfTwoUpToTheMaximum_data()
    {
        QTest::addColumn<quint32>("written");
        QTest::addColumn<quint16>("active");
        QTest::newRow("smaller power of two") << 4u << quint16 {4};
        QTest::newRow("the maximum") << 16u << quint16 {16};
        QTest::newRow("zero is refused") << 0u << quint16 {16};
        QTest::newRow("not a power of two") << 12u << quint16 {16};
        QTest::newRow("above the maximum") << 32u << quint16 {16};
        QTest::newRow("huge") << 0x10000u << quint16 {16};
    }
    void queueSizeMustBeAPowerOfTwoUpToTheMaximum()
    {
        QFETCH(quint32, written);
        QFETCH(quint16, active);
        auto rig = makeRig();
        QVERIFY(rig->driver.negotiate(virtio::featureBit(virtio::kFeatureVersion1)));
        QVERIFY(rig->driver.setupQueue(0, 16));
        QVERIFY(rig->driver.setupQueue(1));
        // Rewrite queue 0's size before it is ready: reset its ready bit first (allowed
        // pre-DRIVER_OK).
        rig->driver.write32(T::kQueueSel, 0);
        rig->driver.write32(T::kQueueReady, 0);
        rig->driver.write32(T::kQueueNum, written);
        rig->driver.write32(T::kQueueReady, 1);
        rig->driver.addStatus(virtio::kStatusDriverOk);
        QCOMPARE(rig->device->activations, 1);
        QCOMPARE(rig->device->activeSizes[0], active);
    }

    void queueRegistersAreFrozenOnceLive()
    {
        auto rig = makeRig();
        QVERIFY(rig->driver.initialize());
        rig->driver.write32(T::kQueueSel, 0);
        rig->driver.write32(T::kQueueDescLow, 0x200000);
        rig->driver.write32(T::kQueueNum, 2);
        rig->driver.write32(T::kQueueReady, 0);
        QCOMPARE(rig->device->queues[0].descriptorTable(),
            GuestAddress(rig->driver.layout(0).descriptors));
        QCOMPARE(rig->device->queues[0].size(), uint16_t {16});
        QCOMPARE(rig->driver.read32(T::kQueueReady), 1u);
    }

    void notificationRunsTheDeviceOnTheLoop()
    {
        auto rig = makeRig();
        QVERIFY(rig->driver.initialize());
        rig->driver.addChain(1, {{rig->driver.allocate(8), 8, true}});
        // The QueueNotify write itself does not run the device (vCPU threads never do)...
        rig->driver.write32(T::kQueueNotify, 1);
        QVERIFY(rig->device->chains.empty());
        QVERIFY(readable(rig->transport->notifyEventFd(1)));
        // ...the loop does.
        rig->driver.runDevice();
        QCOMPARE(rig->device->chains.size(), size_t {1});
        // Notifying a queue that does not exist does nothing.
        rig->driver.write32(T::kQueueNotify, 2);
        rig->driver.write32(T::kQueueNotify, 0xffffffffu);
        QVERIFY(!readable(rig->transport->notifyEventFd(0)));
        QVERIFY(!readable(rig->transport->notifyEventFd(1)));
    }

    void notificationBeforeDriverOkIsIgnored()
    {
        auto rig = makeRig();
        QVERIFY(rig->driver.negotiate(virtio::featureBit(virtio::kFeatureVersion1)));
        QVERIFY(rig->driver.setupQueue(0));
        QVERIFY(rig->driver.setupQueue(1));
        rig->driver.addChain(0, {{rig->driver.allocate(8), 8, true}});
        rig->driver.notify(0);
        QCOMPARE(rig->device->notifications, 0);
        // DRIVER_OK finds what was made available before it.
        rig->driver.addStatus(virtio::kStatusDriverOk);
        rig->driver.runDevice();
        QCOMPARE(rig->device->chains.size(), size_t {1});
    }

    void workPerNotificationIsBounded()
    {
        auto rig = makeRig();
        QVERIFY(rig->driver.initialize());
        rig->device->popsPerNotification = 2;
        rig->device->completeAtOnce = true;
        int before = rig->device->notifications;
        for (int i = 0; i < 5; ++i)
            rig->driver.addChain(0, {{rig->driver.allocate(8), 8, true}});
        rig->driver.write32(T::kQueueNotify, 0);
        rig->transport->handleNotification(0);
        QCOMPARE(rig->device->chains.size(), size_t {2});
        // The transport asked to be called again rather than looping on.
        QVERIFY(readable(rig->transport->notifyEventFd(0)));
        rig->driver.runDevice();
        QCOMPARE(rig->device->chains.size(), size_t {5});
        QCOMPARE(rig->device->notifications, before + 3);
    }

    void interruptStatusAndAcknowledge()
    {
        auto rig = makeRig();
        QVERIFY(rig->driver.initialize());
        rig->device->completeAtOnce = true;
        rig->driver.addChain(0, {{rig->driver.allocate(8), 8, true}});
        rig->driver.notify(0);
        QVERIFY(readable(rig->transport->interruptEventFd()));
        QCOMPARE(rig->driver.read32(T::kInterruptStatus), virtio::kInterruptUsedBuffer);
        rig->transport->signalConfigChange();
        QCOMPARE(rig->driver.read32(T::kInterruptStatus),
            virtio::kInterruptUsedBuffer | virtio::kInterruptConfigChange);
        rig->driver.write32(T::kInterruptAck, virtio::kInterruptUsedBuffer);
        QCOMPARE(rig->driver.read32(T::kInterruptStatus), virtio::kInterruptConfigChange);
        rig->driver.write32(T::kInterruptAck, 0xffffffffu);
        QCOMPARE(rig->driver.read32(T::kInterruptStatus), 0u);
    }

    void configGenerationMovesOnAChange()
    {
        auto rig = makeRig();
        uint32_t before = rig->driver.read32(T::kConfigGeneration);
        rig->transport->signalConfigChange();
        QCOMPARE(rig->driver.read32(T::kConfigGeneration), before + 1);
        QVERIFY(readable(rig->transport->interruptEventFd()));
    }

    void changeConfigurationRunsUnderTheDeviceLockAndSignalsOnlySuccess()
    {
        auto rig = makeRig();
        QVERIFY(rig->driver.initialize());
        uint32_t before = rig->driver.read32(T::kConfigGeneration);
        bool lockedDuringChange = false;
        auto refused = rig->transport->changeConfiguration([&]() -> Result<void> {
            lockedDuringChange = !rig->device->mutex().try_lock();
            if (!lockedDuringChange)
                rig->device->mutex().unlock();
            return failure(Error::invalid("test", "no change"));
        });
        QVERIFY(!refused);
        QVERIFY(lockedDuringChange); // no request or config read runs in the middle of a change
        QCOMPARE(rig->driver.read32(T::kConfigGeneration), before);
        QVERIFY(!readable(rig->transport->interruptEventFd()));
        QCOMPARE(rig->driver.read32(T::kInterruptStatus), 0u);

        QVERIFY(rig->transport->changeConfiguration([]() -> Result<void> { return {}; }));
        QCOMPARE(rig->driver.read32(T::kConfigGeneration), before + 1);
        QVERIFY(readable(rig->transport->interruptEventFd()));
        QCOMPARE(rig->driver.read32(T::kInterruptStatus), virtio::kInterruptConfigChange);
    }

    void registersAreSafeFromAnotherThreadWhileTheLoopRuns()
    {
        // A vCPU thread taking interrupts and notifying while the device thread completes chains.
        auto rig = makeRig();
        QVERIFY(rig->driver.initialize());
        rig->device->completeAtOnce = true;
        std::atomic<bool> stop {false};
        std::thread vcpu([&] {
            while (!stop.load()) {
                rig->driver.acknowledgeInterrupt();
                rig->driver.write32(T::kQueueNotify, 0);
                (void)rig->driver.read32(T::kStatus);
            }
        });
        for (int i = 0; i < 200; ++i) {
            rig->driver.addChain(0, {{rig->driver.allocate(8), 8, true}});
            rig->driver.notify(0);
            while (rig->driver.takeUsed(0)) { }
        }
        stop = true;
        vcpu.join();
        QCOMPARE(rig->device->chains.size(), size_t {200});
        QVERIFY(!(rig->driver.status() & virtio::kStatusDeviceNeedsReset));
    }
};

QTEST_GUILESS_MAIN(VirtioMmioTest)
#include "tst_virtio_mmio.moc"
