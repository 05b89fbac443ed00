// The split virtqueue as a hostile guest meets it (STYLE.md §Engine safety): chains that loop,
// indices out of range, lengths that overflow, buffers outside RAM or in the MMIO hole, an avail
// index that runs ahead, and completion exactly once. Each broken rule must end in a refused
// chain or a queue that waits for reset, never in a host access outside guest RAM.

#include "RecordingVirtioDevice.h"
#include "VirtqueueDriver.h"
#include "memory/GuestMemory.h"
#include "virtio/MmioTransport.h"
#include "virtio/VirtioSpec.h"

#include <memory>
#include <set>

#include <QTest>

using namespace vmm;
using Buffer = VirtqueueDriver::Buffer;

namespace {

constexpr uint64_t MiB = 1ull << 20;
constexpr uint64_t GiB = 1ull << 30;
constexpr uint64_t kLowSize = 16 * MiB; // RAM [0, 16 MiB), a hole, then [4 GiB, 4 GiB + 1 MiB)
constexpr uint64_t kHighStart = 4 * GiB;
constexpr uint64_t kHighSize = MiB;
constexpr uint16_t kQueueSize = 16;

struct Rig {
    GuestMemory memory;
    std::shared_ptr<RecordingVirtioDevice> device;
    std::shared_ptr<MmioTransport> transport;
    VirtqueueDriver driver;

    Rig(GuestMemory memoryIn, std::shared_ptr<RecordingVirtioDevice> deviceIn)
        : memory(std::move(memoryIn))
        , device(std::move(deviceIn))
        , transport(MmioTransport::create(device, memory).value())
        , driver(memory, *transport)
    {
    }
    // Descriptor `index` of queue 0.
    void descriptor(
        uint16_t index, uint64_t address, uint32_t length, uint16_t flags, uint16_t next = 0)
    {
        driver.writeDescriptor(0, index, address, length, flags, next);
    }
    std::vector<VirtqueueDriver::Used> drainUsed()
    {
        std::vector<VirtqueueDriver::Used> used;
        while (auto element = driver.takeUsed(0))
            used.push_back(*element);
        return used;
    }
    bool needsReset() { return driver.status() & virtio::kStatusDeviceNeedsReset; }
};

std::unique_ptr<Rig> makeRig()
{
    auto memory = GuestMemory::create({GuestRegion {GuestAddress(0), kLowSize},
        GuestRegion {GuestAddress(kHighStart), kHighSize}});
    if (!memory)
        qFatal("%s", memory.error().message().c_str());
    auto rig = std::make_unique<Rig>(std::move(*memory),
        std::make_shared<RecordingVirtioDevice>(std::vector<uint16_t> {kQueueSize}));
    if (!rig->driver.initialize())
        qFatal("driver initialization failed");
    return rig;
}

} // namespace

class VirtqueueTest : public QObject {
    Q_OBJECT

private slots:
    void validChainKeepsOrderLengthsAndGuestBytes()
    {
        auto rig = makeRig();
        uint64_t request = rig->driver.allocate(100);
        uint64_t reply = rig->driver.allocate(200);
        std::vector<uint8_t> text(100, 0x41);
        rig->driver.write(request, text);
        uint16_t head = rig->driver.addChain(0, {{request, 100, false}, {reply, 200, true}});
        rig->driver.notify(0);

        QCOMPARE(rig->device->chains.size(), size_t {1});
        const DescriptorChain& chain = rig->device->chains[0];
        QCOMPARE(chain.head(), head);
        QCOMPARE(chain.readableLength(), uint64_t {100});
        QCOMPARE(chain.writableLength(), uint64_t {200});
        QCOMPARE(chain.readable()[0].bytes[0], uint8_t {0x41});
        // The writable span is the guest's buffer itself: what the device writes, the guest reads.
        uint8_t answer[3] = {1, 2, 3};
        QCOMPARE(chain.copyToWritable(198, answer), size_t {2});
        QCOMPARE(rig->driver.readBytes(reply + 198, 2), (std::vector<uint8_t> {1, 2}));
    }

    void chainOfQueueSizeDescriptorsIsAccepted()
    {
        auto rig = makeRig();
        std::vector<Buffer> buffers;
        for (int i = 0; i < kQueueSize; ++i)
            buffers.push_back({rig->driver.allocate(8), 8, false});
        rig->driver.addChain(0, buffers);
        rig->driver.notify(0);
        QCOMPARE(rig->device->chains.size(), size_t {1});
        QCOMPARE(rig->device->chains[0].descriptors().size(), size_t {kQueueSize});
    }

    void invalidChainIsRefusedAndCompletedOnce_data()
    {
        QTest::addColumn<int>("kind");
        QTest::newRow("descriptor loop") << 0;
        QTest::newRow("next index out of range") << 1;
        QTest::newRow("address + length overflows") << 2;
        QTest::newRow("buffer in the MMIO hole") << 3;
        QTest::newRow("buffer runs past the end of low RAM") << 4;
        QTest::newRow("buffer past the end of all RAM") << 5;
        QTest::newRow("readable after writable") << 6;
        QTest::newRow("indirect descriptor") << 7;
    }
    void invalidChainIsRefusedAndCompletedOnce()
    {
        QFETCH(int, kind);
        auto rig = makeRig();
        using namespace virtio;
        const uint16_t next = kDescriptorFlagNext;
        const uint16_t write = kDescriptorFlagWrite;
        uint64_t good = rig->driver.allocate(64);
        switch (kind) {
        case 0: // 0 -> 1 -> 2 -> 0 -> ...
            rig->descriptor(0, good, 8, next, 1);
            rig->descriptor(1, good, 8, next, 2);
            rig->descriptor(2, good, 8, next, 0);
            break;
        case 1:
            rig->descriptor(0, good, 8, next, kQueueSize);
            break;
        case 2:
            rig->descriptor(0, 0xffff'ffff'ffff'f000ull, 0x2000, 0);
            break;
        case 3:
            rig->descriptor(0, 3 * GiB, 4096, write);
            break;
        case 4:
            rig->descriptor(0, kLowSize - 100, 200, write);
            break;
        case 5:
            rig->descriptor(0, kHighStart + kHighSize - 8, 16, write);
            break;
        case 6:
            rig->descriptor(0, good, 8, write | next, 1);
            rig->descriptor(1, good, 8, 0);
            break;
        case 7:
            rig->descriptor(0, good, 64, kDescriptorFlagIndirect);
            break;
        }
        rig->driver.publish(0, 0);
        // A valid chain after the bad one is still served.
        rig->descriptor(5, good, 8, write);
        rig->driver.publish(0, 5);
        rig->driver.notify(0);

        QCOMPARE(rig->device->chains.size(), size_t {1});
        QCOMPARE(rig->device->chains[0].head(), uint16_t {5});
        auto used = rig->drainUsed();
        QCOMPARE(used.size(), size_t {1}); // the refused head, with nothing written
        QCOMPARE(used[0].id, 0u);
        QCOMPARE(used[0].length, 0u);
        QCOMPARE(rig->device->queues[0].invalidChains(), uint64_t {1});
        QVERIFY(!rig->needsReset());
    }

    void bufferAboveTheHoleIsAccepted()
    {
        auto rig = makeRig();
        rig->descriptor(0, kHighStart + kHighSize - 16, 16, virtio::kDescriptorFlagWrite);
        rig->driver.publish(0, 0);
        rig->driver.notify(0);
        QCOMPARE(rig->device->chains.size(), size_t {1});
        QCOMPARE(rig->device->chains[0].descriptors()[0].address,
            GuestAddress(kHighStart + kHighSize - 16));
    }

    void availIndexTooFarAheadBreaksTheQueue()
    {
        auto rig = makeRig();
        rig->driver.setAvailIndex(0, kQueueSize + 1);
        rig->driver.notify(0);
        QVERIFY(rig->device->chains.empty());
        QVERIFY(rig->drainUsed().empty());
        QVERIFY(rig->needsReset());
        // The driver is told through a configuration change interrupt (§2.1.2).
        QVERIFY(rig->driver.acknowledgeInterrupt() & virtio::kInterruptConfigChange);
        // Broken stays broken: more notifications do nothing.
        rig->driver.setAvailIndex(0, 1);
        rig->driver.notify(0);
        QVERIFY(rig->device->chains.empty());
        // A reset and a new probe bring the device back.
        QVERIFY(rig->driver.initialize());
        QVERIFY(!rig->needsReset());
        rig->driver.addChain(0, {{rig->driver.allocate(8), 8, true}});
        rig->driver.notify(0);
        QCOMPARE(rig->device->chains.size(), size_t {1});
    }

    void availIndexExactlyQueueSizeAheadIsServed()
    {
        auto rig = makeRig();
        for (int i = 0; i < kQueueSize; ++i)
            rig->driver.addChain(0, {{rig->driver.allocate(8), 8, true}});
        rig->driver.notify(0);
        QCOMPARE(rig->device->chains.size(), size_t {kQueueSize});
        QVERIFY(!rig->needsReset());
    }

    void headIndexOutOfRangeBreaksTheQueue()
    {
        auto rig = makeRig();
        rig->driver.publish(0, kQueueSize);
        rig->driver.notify(0);
        QVERIFY(rig->device->chains.empty());
        QVERIFY(rig->drainUsed().empty());
        QVERIFY(rig->needsReset());
    }

    void headMadeAvailableTwiceWhileInFlightBreaksTheQueue()
    {
        auto rig = makeRig();
        uint16_t head = rig->driver.addChain(0, {{rig->driver.allocate(8), 8, true}});
        rig->driver.publish(0, head);
        rig->driver.notify(0);
        QCOMPARE(rig->device->chains.size(), size_t {1});
        QVERIFY(rig->needsReset());
    }

    void eachHeadIsCompletedExactlyOnce()
    {
        auto rig = makeRig();
        uint16_t head = rig->driver.addChain(0, {{rig->driver.allocate(8), 8, true}});
        rig->driver.notify(0);
        Queue& queue = rig->device->queues[0];
        QCOMPARE(queue.inFlight(), 1u);
        QVERIFY(queue.addUsed(head, 8));
        QVERIFY(!queue.addUsed(head, 8)); // a second completion is refused
        QVERIFY(!queue.addUsed(7, 0)); // never popped
        QVERIFY(!queue.addUsed(kQueueSize, 0)); // out of range
        QCOMPARE(rig->driver.usedIndex(0), uint16_t {1});
        QCOMPARE(queue.inFlight(), 0u);
    }

    void usedLengthIsClampedToTheWritableBytes()
    {
        auto rig = makeRig();
        uint16_t head = rig->driver.addChain(
            0, {{rig->driver.allocate(8), 8, false}, {rig->driver.allocate(10), 10, true}});
        rig->driver.notify(0);
        QVERIFY(rig->device->queues[0].addUsed(head, 1000));
        auto used = rig->drainUsed();
        QCOMPARE(used.size(), size_t {1});
        QCOMPARE(used[0].length, 10u);
    }

    void usedRingWrapsAround()
    {
        auto rig = makeRig();
        rig->device->completeAtOnce = true;
        std::set<uint32_t> seen;
        for (int round = 0; round < 3 * kQueueSize + 3; ++round) {
            uint16_t head = rig->driver.addChain(0, {{rig->driver.allocate(4), 4, true}});
            rig->driver.notify(0);
            auto used = rig->drainUsed();
            QCOMPARE(used.size(), size_t {1});
            QCOMPARE(used[0].id, uint32_t {head});
            QCOMPARE(used[0].length, 4u);
        }
        QVERIFY(!rig->needsReset());
    }

    void interruptFollowsTheDriversWish()
    {
        auto rig = makeRig();
        rig->device->completeAtOnce = true;
        rig->driver.addChain(0, {{rig->driver.allocate(4), 4, true}});
        rig->driver.notify(0);
        QCOMPARE(rig->driver.acknowledgeInterrupt(), virtio::kInterruptUsedBuffer);

        rig->driver.setAvailFlags(0, virtio::kAvailFlagNoInterrupt);
        rig->driver.addChain(0, {{rig->driver.allocate(4), 4, true}});
        rig->driver.notify(0);
        QCOMPARE(rig->drainUsed().size(), size_t {2});
        QCOMPARE(rig->driver.acknowledgeInterrupt(), 0u);
    }

    void notificationSuppressionIsLiftedWithALastLook()
    {
        // A queue of its own in plain guest memory: descriptors at 0x1000, avail at 0x2000, used
        // at 0x3000. The device asks the driver not to notify while it drains (a VM exit saved
        // per request); when it asks again, a chain that arrived meanwhile must be seen, since
        // the driver may have skipped its notification for it.
        auto memory = GuestMemory::create({GuestRegion {GuestAddress(0), 64 * 1024}});
        QVERIFY(memory);
        Queue queue(kQueueSize);
        queue.setDescriptorTable(GuestAddress(0x1000));
        queue.setAvailRing(GuestAddress(0x2000));
        queue.setUsedRing(GuestAddress(0x3000));
        QVERIFY(queue.enable(*memory));
        auto usedFlags = [&] {
            return memory->readObject<uint16_t>(GuestAddress(0x3000)).value();
        };

        queue.suppressNotifications();
        QCOMPARE(usedFlags(), virtio::kUsedFlagNoNotify);
        QVERIFY(!queue.resumeNotifications()); // nothing pending
        QCOMPARE(usedFlags(), uint16_t {0});

        queue.suppressNotifications();
        // The driver adds descriptor 0 (4 writable bytes at 0x4000) as head 0, without notifying.
        QVERIFY(memory->writeObject(GuestAddress(0x1000), uint64_t {0x4000}));
        QVERIFY(memory->writeObject(GuestAddress(0x1008), uint32_t {4}));
        QVERIFY(memory->writeObject(GuestAddress(0x100c), uint16_t {virtio::kDescriptorFlagWrite}));
        QVERIFY(memory->writeObject(GuestAddress(0x2004), uint16_t {0}));
        QVERIFY(memory->writeObject(GuestAddress(0x2002), uint16_t {1}));
        QVERIFY(queue.resumeNotifications()); // the last look finds it
        QCOMPARE(usedFlags(), uint16_t {0});
        auto chain = queue.pop();
        QVERIFY(chain);
        QCOMPARE(chain->head(), uint16_t {0});
        QVERIFY(queue.addUsed(chain->head(), 4));
        QVERIFY(!queue.resumeNotifications());
    }

    void ringsOutsideRamOrMisalignedAreRefused_data()
    {
        QTest::addColumn<quint64>("descriptors");
        QTest::addColumn<quint64>("avail");
        QTest::addColumn<quint64>("used");
        QTest::newRow("table in the hole")
            << quint64 {3 * GiB} << quint64 {0x14000} << quint64 {0x15000};
        QTest::newRow("used ring runs off RAM")
            << quint64 {0x10000} << quint64 {0x14000} << quint64 {kLowSize - 16};
        QTest::newRow("table misaligned")
            << quint64 {0x10008} << quint64 {0x14000} << quint64 {0x15000};
        QTest::newRow("avail misaligned")
            << quint64 {0x10000} << quint64 {0x14001} << quint64 {0x15000};
        QTest::newRow("used misaligned")
            << quint64 {0x10000} << quint64 {0x14000} << quint64 {0x15002};
        QTest::newRow("address wraps")
            << quint64 {0xffff'ffff'ffff'ff00ull} << quint64 {0x14000} << quint64 {0x15000};
    }
    void ringsOutsideRamOrMisalignedAreRefused()
    {
        QFETCH(quint64, descriptors);
        QFETCH(quint64, avail);
        QFETCH(quint64, used);
        auto rig = makeRig();
        QVERIFY(rig->driver.negotiate(virtio::featureBit(virtio::kFeatureVersion1)));
        QVERIFY(!rig->driver.setupQueueAt(0, {descriptors, avail, used, kQueueSize}));
        rig->driver.addStatus(virtio::kStatusDriverOk);
        QVERIFY(!(rig->driver.status() & virtio::kStatusDriverOk));
        QVERIFY(rig->needsReset());
        QCOMPARE(rig->device->activations, 1); // only the one from makeRig()
    }
};

QTEST_GUILESS_MAIN(VirtqueueTest)
#include "tst_virtqueue.moc"
