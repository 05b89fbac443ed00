// virtio-rng (virtio 1.1 §5.4) as the guest's hw_random driver meets it: buffers come back full
// of random bytes, a request is served up to a cap, and readable-only chains get nothing.

#include "VirtqueueDriver.h"
#include "memory/GuestMemory.h"
#include "virtio/MmioTransport.h"
#include "virtio/rng/RngDevice.h"

#include <memory>

#include <QTest>

using namespace vmm;

namespace {

struct Rig {
    GuestMemory memory;
    std::shared_ptr<RngDevice> device = std::make_shared<RngDevice>();
    std::shared_ptr<MmioTransport> transport;
    VirtqueueDriver driver;

    explicit Rig(GuestMemory memoryIn)
        : memory(std::move(memoryIn))
        , transport(MmioTransport::create(device, memory).value())
        , driver(memory, *transport)
    {
        if (!driver.initialize())
            qFatal("virtio-rng did not come up");
    }
};

std::unique_ptr<Rig> makeRig()
{
    auto memory = GuestMemory::create({GuestRegion {GuestAddress(0), 4 << 20}});
    if (!memory)
        qFatal("%s", memory.error().message().c_str());
    return std::make_unique<Rig>(std::move(*memory));
}

} // namespace

class VirtioRngTest : public QObject {
    Q_OBJECT

private slots:
    void fillsWritableBuffersWithRandomBytes()
    {
        auto rig = makeRig();
        uint64_t first = rig->driver.allocate(64);
        uint64_t second = rig->driver.allocate(64);
        rig->driver.addChain(0, {{first, 32, true}, {first + 32, 32, true}});
        rig->driver.addChain(0, {{second, 64, true}});
        rig->driver.notify(0);
        auto used = rig->driver.takeUsed(0);
        QVERIFY(used);
        QCOMPARE(used->length, 64u);
        QCOMPARE(rig->driver.takeUsed(0)->length, 64u);
        auto a = rig->driver.readBytes(first, 64);
        auto b = rig->driver.readBytes(second, 64);
        // Zero-filled guest memory that stays zero, or the same bytes twice, means no entropy.
        QVERIFY(std::any_of(a.begin() + 32, a.end(), [](uint8_t byte) { return byte != 0; }));
        QVERIFY(a != b);
        QCOMPARE(rig->device->bytesProvided(), uint64_t {128});
        QCOMPARE(rig->driver.acknowledgeInterrupt(), 1u);
    }

    void eachRequestIsCapped()
    {
        auto rig = makeRig();
        uint64_t buffer = rig->driver.allocate(RngDevice::kMaxBytesPerRequest + 4096);
        rig->driver.addChain(0, {{buffer, uint32_t(RngDevice::kMaxBytesPerRequest + 4096), true}});
        rig->driver.notify(0);
        QCOMPARE(rig->driver.takeUsed(0)->length, uint32_t(RngDevice::kMaxBytesPerRequest));
        auto tail = rig->driver.readBytes(buffer + RngDevice::kMaxBytesPerRequest, 4096);
        QVERIFY(std::all_of(tail.begin(), tail.end(), [](uint8_t byte) { return byte == 0; }));
    }

    void readableBuffersGetNothing()
    {
        auto rig = makeRig();
        uint64_t buffer = rig->driver.allocate(64);
        rig->driver.addChain(0, {{buffer, 64, false}});
        rig->driver.notify(0);
        QCOMPARE(rig->driver.takeUsed(0)->length, 0u);
        auto bytes = rig->driver.readBytes(buffer, 64);
        QVERIFY(std::all_of(bytes.begin(), bytes.end(), [](uint8_t byte) { return byte == 0; }));
    }
};

QTEST_GUILESS_MAIN(VirtioRngTest)
#include "tst_virtio_rng.moc"
