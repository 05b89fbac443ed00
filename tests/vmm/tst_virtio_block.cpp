// virtio-blk as the guest's virtio_blk driver and a hostile guest meet it (virtio 1.1 §5.2):
// reads, writes, flush and the serial through the transport onto a real file; a read-only disk
// that refuses writes and leaves the file unchanged; requests past the end of the disk for each
// request type; malformed requests completed exactly once; bounded work per notification; a
// spare disk (no backend) that is filled while the guest runs (a dataset added to a session).

#include "MemoryBlockBackend.h"
#include "TestHelpers.h"
#include "VirtqueueDriver.h"
#include "block/FileBackend.h"
#include "memory/GuestMemory.h"
#include "virtio/MmioTransport.h"
#include "virtio/VirtioSpec.h"
#include "virtio/block/BlockDevice.h"

#include <cstring>
#include <map>
#include <memory>

#include <QTest>

using namespace vmm;
using Buffer = VirtqueueDriver::Buffer;

namespace {

constexpr uint32_t kIn = 0;
constexpr uint32_t kOut = 1;
constexpr uint32_t kFlush = 4;
constexpr uint32_t kGetId = 8;
constexpr uint32_t kDiscard = 11;
constexpr uint32_t kWriteZeroes = 13;
constexpr uint8_t kOk = 0;
constexpr uint8_t kIoErr = 1;
constexpr uint8_t kUnsupp = 2;
constexpr unsigned kFeatureRo = 5;
constexpr unsigned kFeatureFlush = 9;
constexpr uint64_t MiB = 1ull << 20;

std::vector<uint8_t> pattern(size_t size, uint8_t seed)
{
    std::vector<uint8_t> bytes(size);
    for (size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<uint8_t>(seed + i * 7 + i / 512);
    return bytes;
}

struct Reply {
    uint8_t status = 0xff;
    uint32_t usedLength = 0;
    std::vector<uint8_t> data;
};

struct Rig {
    GuestMemory memory;
    std::shared_ptr<BlockDevice> device;
    std::shared_ptr<MmioTransport> transport;
    VirtqueueDriver driver;

    Rig(GuestMemory memoryIn, std::shared_ptr<BlockBackend> backend,
        std::string serial = "airlock-ds0")
        : memory(std::move(memoryIn))
        , device(std::make_shared<BlockDevice>(std::move(backend), std::move(serial)))
        , transport(MmioTransport::create(device, memory).value())
        , driver(memory, *transport)
    {
        if (!driver.initialize(virtio::featureBit(kFeatureFlush) |
                (device->features() & virtio::featureBit(kFeatureRo))))
            qFatal("virtio-blk did not come up");
    }

    // Lays out header, data `segments` (device-readable for OUT, else writable) and a status
    // byte; OUT data comes from `payload`. Does not notify.
    uint16_t add(uint32_t type, uint64_t sector, const std::vector<uint32_t>& segments,
        const std::vector<uint8_t>& payload, std::vector<Buffer>& dataBuffers, uint64_t& status)
    {
        uint8_t header[16] = {};
        std::memcpy(header, &type, 4);
        std::memcpy(header + 8, &sector, 8);
        uint64_t headerAddress = driver.allocate(16);
        driver.write(headerAddress, header);
        std::vector<Buffer> chain {{headerAddress, 16, false}};
        size_t offset = 0;
        for (uint32_t length : segments) {
            Buffer buffer {driver.allocate(length, 1), length, type != kOut};
            if (type == kOut && offset < payload.size())
                driver.write(buffer.address,
                    std::span(payload).subspan(
                        offset, std::min<size_t>(length, payload.size() - offset)));
            offset += length;
            chain.push_back(buffer);
            dataBuffers.push_back(buffer);
        }
        status = driver.allocate(1, 1);
        driver.write(status, std::vector<uint8_t> {0xff});
        chain.push_back({status, 1, true});
        return driver.addChain(0, chain);
    }

    uint64_t capacity()
    {
        uint64_t sectors = 0;
        std::memcpy(&sectors, driver.readConfig(0, 8).data(), 8);
        return sectors;
    }

    Reply submit(uint32_t type, uint64_t sector, const std::vector<uint32_t>& segments,
        const std::vector<uint8_t>& payload = {})
    {
        std::vector<Buffer> dataBuffers;
        uint64_t statusAddress = 0;
        add(type, sector, segments, payload, dataBuffers, statusAddress);
        driver.notify(0);
        Reply reply;
        auto used = driver.takeUsed(0);
        if (!used)
            return reply;
        reply.usedLength = used->length;
        reply.status = driver.readBytes(statusAddress, 1)[0];
        for (const Buffer& buffer : dataBuffers) {
            auto bytes = driver.readBytes(buffer.address, buffer.length);
            reply.data.insert(reply.data.end(), bytes.begin(), bytes.end());
        }
        return reply;
    }
};

GuestMemory makeMemory()
{
    auto memory = GuestMemory::create({GuestRegion {GuestAddress(0), 64 * MiB}});
    if (!memory)
        qFatal("%s", memory.error().message().c_str());
    return std::move(*memory);
}

QByteArray fileBytes(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class VirtioBlockTest : public QObject {
    Q_OBJECT

private slots:
    void readsTheFileThroughTheTransport_data()
    {
        QTest::addColumn<std::vector<uint32_t>>("segments");
        QTest::newRow("one buffer") << std::vector<uint32_t> {4096};
        QTest::newRow("page buffers") << std::vector<uint32_t> {2048, 2048};
        QTest::newRow("sectors split across buffers") << std::vector<uint32_t> {100, 700, 3296};
        QTest::newRow("byte-sized buffers") << std::vector<uint32_t> {1, 511, 1, 3583};
    }
    void readsTheFileThroughTheTransport()
    {
        QFETCH(std::vector<uint32_t>, segments);
        QTemporaryDir directory;
        std::vector<uint8_t> contents = pattern(1 * MiB, 3);
        QString path = writeTestFile(directory, "disk.img",
            QByteArray(reinterpret_cast<const char*>(contents.data()), qsizetype(contents.size())));
        auto backend = FileBackend::open(path.toStdString(), true);
        QVERIFY(backend);
        Rig rig(makeMemory(), std::shared_ptr<BlockBackend>(std::move(*backend)));

        Reply reply = rig.submit(kIn, 3, segments);
        QCOMPARE(reply.status, kOk);
        QCOMPARE(reply.usedLength, 4096u + 1);
        QVERIFY(std::equal(reply.data.begin(), reply.data.end(), contents.begin() + 3 * 512));
        QCOMPARE(rig.device->stats().bytesRead, uint64_t {4096});
        QCOMPARE(rig.device->stats().readOperations, uint64_t {1});
    }

    void writesAndFlushesReachTheFile()
    {
        QTemporaryDir directory;
        QString path = writeTestFile(directory, "scratch.img", QByteArray(64 * 1024, '\0'));
        auto backend = FileBackend::open(path.toStdString(), false);
        QVERIFY(backend);
        Rig rig(makeMemory(), std::shared_ptr<BlockBackend>(std::move(*backend)));
        QVERIFY(rig.device->features() & virtio::featureBit(kFeatureFlush));
        QVERIFY(!(rig.device->features() & virtio::featureBit(kFeatureRo)));

        std::vector<uint8_t> payload = pattern(1024, 9);
        Reply written = rig.submit(kOut, 5, {1000, 24}, payload);
        QCOMPARE(written.status, kOk);
        QCOMPARE(written.usedLength, 1u); // only the status byte was written by the device
        Reply flushed = rig.submit(kFlush, 0, {});
        QCOMPARE(flushed.status, kOk);

        QByteArray file = fileBytes(path);
        QCOMPARE(file.mid(5 * 512, 1024),
            QByteArray(reinterpret_cast<const char*>(payload.data()), 1024));
        QCOMPARE(file.left(5 * 512), QByteArray(5 * 512, '\0'));
        BlockDeviceStats stats = rig.device->stats();
        QCOMPARE(stats.bytesWritten, uint64_t {1024});
        QCOMPARE(stats.writeOperations, uint64_t {1});
        QCOMPARE(stats.flushes, uint64_t {1});
        QCOMPARE(stats.errors, uint64_t {0});
    }

    void getIdReturnsTheSerial()
    {
        Rig rig(makeMemory(), std::make_shared<MemoryBlockBackend>(MiB));
        Reply reply = rig.submit(kGetId, 0, {20});
        QCOMPARE(reply.status, kOk);
        QCOMPARE(reply.usedLength, 21u);
        std::vector<uint8_t> expected(20, 0);
        std::memcpy(expected.data(), "airlock-ds0", 11);
        QCOMPARE(reply.data, expected);
    }

    void configReportsCapacityInSectors()
    {
        Rig rig(makeMemory(), std::make_shared<MemoryBlockBackend>(3 * MiB));
        auto bytes = rig.driver.readConfig(0, 8);
        uint64_t capacity = 0;
        std::memcpy(&capacity, bytes.data(), 8);
        QCOMPARE(capacity, uint64_t {3 * MiB / 512});
        // Past the configuration: zeros, never host memory.
        QCOMPARE(rig.driver.readConfig(0x100, 4), (std::vector<uint8_t> {0, 0, 0, 0}));
    }

    void readOnlyDiskRefusesWritesAndTheFileIsUnchanged()
    {
        QTemporaryDir directory;
        std::vector<uint8_t> contents = pattern(64 * 1024, 1);
        QByteArray original(
            reinterpret_cast<const char*>(contents.data()), qsizetype(contents.size()));
        QString path = writeTestFile(directory, "dataset.img", original);
        auto opened = FileBackend::open(path.toStdString(), true);
        QVERIFY(opened);
        std::shared_ptr<BlockBackend> backend(std::move(*opened));
        Rig rig(makeMemory(), backend);
        QVERIFY(rig.device->features() & virtio::featureBit(kFeatureRo));

        Reply reply = rig.submit(kOut, 0, {4096}, std::vector<uint8_t>(4096, 0xee));
        QCOMPARE(reply.status, kIoErr);
        QCOMPARE(rig.device->stats().errors, uint64_t {1});
        QCOMPARE(rig.device->stats().bytesWritten, uint64_t {0});
        // The host refuses first: the backend's fd is O_RDONLY.
        std::vector<uint8_t> attempt(512, 0xee);
        auto direct = backend->write(0, attempt);
        QVERIFY(!direct);
        QCOMPARE(direct.error().errnoValue(), EROFS);
        QCOMPARE(fileBytes(path), original);
    }

    void readOnlyRefusalNeverReachesTheBackend()
    {
        auto backend = std::make_shared<MemoryBlockBackend>(MiB, true);
        Rig rig(makeMemory(), backend);
        QCOMPARE(rig.submit(kOut, 0, {512}, std::vector<uint8_t>(512, 1)).status, kIoErr);
        QCOMPARE(backend->writes, 0);
    }

    void requestsOutsideTheDiskAreRefused_data()
    {
        QTest::addColumn<quint32>("type");
        QTest::addColumn<quint64>("sector");
        QTest::addColumn<quint32>("length");
        QTest::addColumn<int>("status");
        constexpr uint64_t sectors = MiB / 512;
        QTest::newRow("read the last sector") << kIn << quint64 {sectors - 1} << 512u << int {kOk};
        QTest::newRow("read past the end") << kIn << quint64 {sectors} << 512u << int {kIoErr};
        QTest::newRow("read across the end")
            << kIn << quint64 {sectors - 1} << 1024u << int {kIoErr};
        QTest::newRow("read, sector * 512 overflows")
            << kIn << quint64 {1ull << 55} << 512u << int {kIoErr};
        QTest::newRow("read, offset + length overflows")
            << kIn << quint64 {(~0ull) / 512} << 4096u << int {kIoErr};
        QTest::newRow("read, zero bytes at the end") << kIn << quint64 {sectors} << 0u << int {kOk};
        QTest::newRow("read, zero bytes past the end")
            << kIn << quint64 {sectors + 1} << 0u << int {kIoErr};
        QTest::newRow("write the last sector")
            << kOut << quint64 {sectors - 1} << 512u << int {kOk};
        QTest::newRow("write past the end") << kOut << quint64 {sectors} << 512u << int {kIoErr};
        QTest::newRow("write across the end")
            << kOut << quint64 {sectors - 2} << 2048u << int {kIoErr};
        QTest::newRow("write, sector * 512 overflows")
            << kOut << quint64 {~0ull} << 512u << int {kIoErr};
        QTest::newRow("read, not whole sectors") << kIn << quint64 {0} << 100u << int {kIoErr};
        QTest::newRow("write, not whole sectors") << kOut << quint64 {0} << 513u << int {kIoErr};
        QTest::newRow("flush ignores the sector") << kFlush << quint64 {~0ull} << 0u << int {kOk};
        QTest::newRow("get id ignores the sector") << kGetId << quint64 {~0ull} << 20u << int {kOk};
        QTest::newRow("discard is not offered")
            << kDiscard << quint64 {sectors} << 16u << int {kUnsupp};
        QTest::newRow("write zeroes is not offered")
            << kWriteZeroes << quint64 {~0ull} << 16u << int {kUnsupp};
        QTest::newRow("unknown type") << 0xffu << quint64 {0} << 512u << int {kUnsupp};
    }
    void requestsOutsideTheDiskAreRefused()
    {
        QFETCH(quint32, type);
        QFETCH(quint64, sector);
        QFETCH(quint32, length);
        QFETCH(int, status);
        auto backend = std::make_shared<MemoryBlockBackend>(MiB);
        Rig rig(makeMemory(), backend);
        std::vector<uint32_t> segments;
        if (length)
            segments.push_back(length);
        Reply reply = rig.submit(type, sector, segments, std::vector<uint8_t>(length, 0x5a));
        QCOMPARE(int {reply.status}, status);
        QCOMPARE(backend->contractViolations, 0);
        if (status != kOk) {
            QCOMPARE(backend->reads + backend->writes + backend->flushes, 0);
            QCOMPARE(reply.usedLength, 1u);
        }
        QVERIFY(std::all_of(backend->bytes.begin(), backend->bytes.end() - 512,
            [](uint8_t byte) { return byte == 0; }));
    }

    void requestLargerThanTheCapIsRefused()
    {
        auto backend = std::make_shared<MemoryBlockBackend>(32 * MiB);
        Rig rig(makeMemory(), backend);
        uint32_t length = static_cast<uint32_t>(BlockDevice::kMaxRequestBytes + 512);
        QCOMPARE(rig.submit(kIn, 0, {length}).status, kIoErr);
        QCOMPARE(backend->reads, 0);
        QCOMPARE(
            rig.submit(kIn, 0, {static_cast<uint32_t>(BlockDevice::kMaxRequestBytes)}).status, kOk);
    }

    void malformedRequestsAreCompletedExactlyOnce()
    {
        auto backend = std::make_shared<MemoryBlockBackend>(MiB);
        Rig rig(makeMemory(), backend);
        std::map<uint16_t, int> expected; // head -> used length
        std::vector<Buffer> data;
        uint64_t status = 0;
        expected[rig.add(kIn, 0, {512}, {}, data, status)] = 513;
        // No status byte at all.
        uint64_t header = rig.driver.allocate(16);
        rig.driver.write(header, std::vector<uint8_t>(16, 0));
        expected[rig.driver.addChain(0, {{header, 16, false}})] = 0;
        // A header of 8 bytes.
        expected[rig.driver.addChain(0, {{header, 8, false}, {rig.driver.allocate(1), 1, true}})] =
            1;
        expected[rig.add(kIn, 1ull << 60, {512}, {}, data, status)] = 1;
        expected[rig.add(kDiscard, 0, {16}, {}, data, status)] = 1;
        // A buffer outside RAM: the queue refuses the chain itself.
        expected[rig.driver.addChain(0, {{header, 16, false}, {1ull << 40, 512, true}})] = 0;
        expected[rig.add(kFlush, 0, {}, {}, data, status)] = 1;
        rig.driver.notify(0);

        std::map<uint16_t, int> seen;
        while (auto used = rig.driver.takeUsed(0)) {
            QVERIFY2(!seen.count(uint16_t(used->id)), "a head was completed twice");
            seen[uint16_t(used->id)] = int(used->length);
        }
        QCOMPARE(seen, expected);
        QCOMPARE(rig.device->stats().errors, uint64_t {4});
    }

    void emptySpareHasNoCapacityAndFailsReads()
    {
        Rig rig(makeMemory(), nullptr, "airlock-spare2");
        QVERIFY(rig.device->isEmptySpare());
        QVERIFY(rig.device->features() & virtio::featureBit(kFeatureRo));
        QCOMPARE(rig.capacity(), uint64_t {0});
        QCOMPARE(rig.submit(kIn, 0, {512}).status, kIoErr);
        QCOMPARE(rig.submit(kIn, 0, {}).status, kIoErr); // not even zero bytes
        QCOMPARE(rig.submit(kOut, 0, {512}, std::vector<uint8_t>(512, 1)).status, kIoErr);
        QCOMPARE(rig.submit(kFlush, 0, {}).status, kOk);
        Reply id = rig.submit(kGetId, 0, {20});
        QCOMPARE(id.status, kOk);
        QCOMPARE(QByteArray(reinterpret_cast<const char*>(id.data.data())),
            QByteArray("airlock-spare2"));
    }

    void fillingASpareShowsTheImageToTheDriver()
    {
        Rig rig(makeMemory(), nullptr, "airlock-spare0");
        auto image = std::make_shared<MemoryBlockBackend>(2 * MiB, true);
        image->bytes = pattern(2 * MiB, 9);
        rig.driver.acknowledgeInterrupt();
        uint32_t generation = rig.driver.read32(MmioTransport::kConfigGeneration);

        auto filled = rig.transport->changeConfiguration(
            [&] { return rig.device->fill(image, "airlock-ds3"); });
        QVERIFY2(filled, filled ? "" : filled.error().message().c_str());

        // §4.2.2: InterruptStatus bit 1 (configuration change) and a new ConfigGeneration.
        QVERIFY(rig.driver.acknowledgeInterrupt() & virtio::kInterruptConfigChange);
        QVERIFY(rig.driver.read32(MmioTransport::kConfigGeneration) != generation);
        QVERIFY(!rig.device->isEmptySpare());
        QCOMPARE(rig.capacity(), uint64_t {2 * MiB / 512});
        Reply id = rig.submit(kGetId, 0, {20});
        QCOMPARE(
            QByteArray(reinterpret_cast<const char*>(id.data.data())), QByteArray("airlock-ds3"));
        Reply read = rig.submit(kIn, 2048, {4096, 512});
        QCOMPARE(read.status, kOk);
        QCOMPARE(read.data,
            std::vector<uint8_t>(
                image->bytes.begin() + 2048 * 512, image->bytes.begin() + 2048 * 512 + 4608));
        // Still read-only: the offered feature stays and writes never reach the image.
        QCOMPARE(rig.submit(kOut, 0, {512}, std::vector<uint8_t>(512, 1)).status, kIoErr);
        QCOMPARE(image->writes, 0);
        QCOMPARE(rig.submit(kIn, 4096, {512}).status, kIoErr); // past the new end
    }

    void fillingAFilledOrWithAWritableBackendFails()
    {
        Rig rig(makeMemory(), nullptr, "airlock-spare1");
        auto writable = std::make_shared<MemoryBlockBackend>(MiB, false);
        QVERIFY(!rig.transport->changeConfiguration(
            [&] { return rig.device->fill(writable, "airlock-ds1"); }));
        QVERIFY(rig.device->isEmptySpare());
        QCOMPARE(rig.driver.acknowledgeInterrupt() & virtio::kInterruptConfigChange, 0u);

        auto first = std::make_shared<MemoryBlockBackend>(MiB, true);
        QVERIFY(rig.transport->changeConfiguration(
            [&] { return rig.device->fill(first, "airlock-ds1"); }));
        rig.driver.acknowledgeInterrupt();
        uint32_t generation = rig.driver.read32(MmioTransport::kConfigGeneration);
        auto second = std::make_shared<MemoryBlockBackend>(4 * MiB, true);
        auto again = rig.transport->changeConfiguration(
            [&] { return rig.device->fill(second, "airlock-ds2"); });
        QVERIFY(!again);
        // Nothing changed and the driver was not disturbed.
        QCOMPARE(rig.driver.read32(MmioTransport::kConfigGeneration), generation);
        QCOMPARE(rig.driver.acknowledgeInterrupt() & virtio::kInterruptConfigChange, 0u);
        QCOMPARE(rig.capacity(), uint64_t {MiB / 512});
        Reply id = rig.submit(kGetId, 0, {20});
        QCOMPARE(
            QByteArray(reinterpret_cast<const char*>(id.data.data())), QByteArray("airlock-ds1"));
    }

    void workPerNotificationIsBounded()
    {
        auto backend = std::make_shared<MemoryBlockBackend>(MiB);
        Rig rig(makeMemory(), backend);
        constexpr int requests = 80; // 3 descriptors each in a 256-entry ring
        for (int i = 0; i < requests; ++i) {
            std::vector<Buffer> data;
            uint64_t status = 0;
            rig.add(kIn, uint64_t(i), {512}, {}, data, status);
        }
        rig.driver.write32(MmioTransport::kQueueNotify, 0);
        rig.transport->handleNotification(0);
        QCOMPARE(rig.driver.usedIndex(0), uint16_t {BlockDevice::kRequestsPerNotification});
        rig.driver.runDevice(); // the transport re-armed the notification for the rest
        QCOMPARE(rig.driver.usedIndex(0), uint16_t {requests});
    }
};

QTEST_GUILESS_MAIN(VirtioBlockTest)
#include "tst_virtio_block.moc"
