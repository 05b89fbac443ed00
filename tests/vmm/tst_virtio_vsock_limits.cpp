// virtio-vsock's limits, with its host side over Unix sockets: credit both ways (virtio 1.1
// §5.10.6.3), a guest exceeding its credit, malformed packets of every kind, short RX buffers, the
// connection limit, and a device reset. The guest is tst_virtio_vsock_guest.h; no KVM needed.

#include "tst_virtio_vsock_support.h"

class VirtioVsockLimitsTest : public QObject {
    Q_OBJECT

private slots:
    void creditRequestIsAnsweredWithCurrentCredit()
    {
        Fixture fixture;
        UniqueFd client;
        uint32_t hostPort = establishHostConnection(fixture, client);
        QVERIFY(hostPort != 0);
        std::string bytes(10000, 'c');
        fixture.guest->send(
            fixture.guest->header(vsock::kOpRw, kGuestPort, hostPort), bytesOf(bytes));
        QCOMPARE(
            readHostWhilePumping(*fixture.rig, client.get(), bytes.size()).size(), bytes.size());
        fixture.guest->send(fixture.guest->header(vsock::kOpCreditRequest, kGuestPort, hostPort));
        auto update = fixture.guest->receiveOp(vsock::kOpCreditUpdate);
        QVERIFY(update);
        QCOMPARE(update->header.bufAlloc, VsockOptions {}.bufferBytes);
        QCOMPARE(update->header.fwdCnt, uint32_t(bytes.size()));
    }

    void hostStopsAtTheGuestsCreditAndResumesOnUpdate()
    {
        Fixture fixture;
        UniqueFd client;
        uint32_t hostPort = establishHostConnection(fixture, client);
        QVERIFY(hostPort != 0);
        constexpr uint32_t kGuestBuffer = 10000;
        // The guest shrinks its buffer: every packet carries buf_alloc (§5.10.6.3).
        fixture.guest->send(
            fixture.guest->header(vsock::kOpCreditUpdate, kGuestPort, hostPort, kGuestBuffer, 0));
        std::string bytes(50000, 'd');
        writeHost(client.get(), bytes);
        uint64_t received = 0;
        bool askedForCredit = false;
        fixture.rig->pumpUntil(
            [&] {
                for (VsockGuestPacket& packet : fixture.guest->receive()) {
                    received += packet.payload.size();
                    askedForCredit = askedForCredit || packet.header.op == vsock::kOpCreditRequest;
                }
                return false;
            },
            300ms);
        QCOMPARE(received, uint64_t {kGuestBuffer}); // exactly the credit, not a byte more
        QVERIFY(askedForCredit);
        fixture.guest->send(fixture.guest->header(
            vsock::kOpCreditUpdate, kGuestPort, hostPort, kGuestBuffer, kGuestBuffer));
        fixture.rig->pumpUntil(
            [&] {
                for (VsockGuestPacket& packet : fixture.guest->receive())
                    received += packet.payload.size();
                return false;
            },
            300ms);
        QCOMPARE(received, uint64_t {2 * kGuestBuffer});
    }

    void creditUpdatesFollowTheHostDraining()
    {
        Fixture fixture;
        UniqueFd client;
        uint32_t hostPort = establishHostConnection(fixture, client);
        QVERIFY(hostPort != 0);
        // The guest sends 200 KiB (within the 256 KiB credit); the host reads it all; the device
        // tells the guest unprompted that the space is free again.
        std::vector<uint8_t> chunk(50 * 1024, 'e');
        for (int i = 0; i < 4; ++i)
            fixture.guest->send(fixture.guest->header(vsock::kOpRw, kGuestPort, hostPort), chunk);
        QCOMPARE(readHostWhilePumping(*fixture.rig, client.get(), 4 * chunk.size()).size(),
            4 * chunk.size());
        auto update = fixture.guest->receiveOp(vsock::kOpCreditUpdate);
        QVERIFY(update);
        QVERIFY(update->header.fwdCnt >= 128 * 1024);
    }

    void guestExceedingItsCreditIsReset()
    {
        VsockOptions options;
        options.bufferBytes = 64 * 1024;
        Fixture fixture(options);
        UniqueFd client;
        uint32_t hostPort = establishHostConnection(fixture, client);
        QVERIFY(hostPort != 0);
        // The client never reads: its socket fills, then the device's 64 KiB, then the guest is
        // over its credit and the connection is reset rather than buffered further.
        std::vector<uint8_t> chunk(60 * 1024, 'f');
        std::optional<VsockGuestPacket> reset;
        for (int i = 0; i < 200 && !reset; ++i) {
            fixture.guest->send(fixture.guest->header(vsock::kOpRw, kGuestPort, hostPort), chunk);
            for (VsockGuestPacket& packet : fixture.guest->receive()) {
                if (packet.header.op == vsock::kOpRst)
                    reset = packet;
            }
        }
        QVERIFY(reset);
        QVERIFY(hostSeesEof(*fixture.rig, client.get()));
    }

    void malformedPacketsAreDroppedWithoutHarm()
    {
        Fixture fixture;
        UniqueFd client;
        uint32_t hostPort = establishHostConnection(fixture, client);
        QVERIFY(hostPort != 0);
        VsockGuest& guest = *fixture.guest;
        std::vector<uint8_t> ten(10, 'z');
        auto good = guest.header(vsock::kOpRw, kGuestPort, hostPort);

        auto shortHeader = good;
        guest.sendRaw(shortHeader, {}, 20); // the header descriptor is 20 bytes
        auto unknownOp = good;
        unknownOp.op = 99;
        guest.sendRaw(unknownOp, {}, 44);
        auto invalidOp = good;
        invalidOp.op = 0;
        guest.sendRaw(invalidOp, {}, 44);
        auto seqpacket = good;
        seqpacket.type = 2;
        guest.send(seqpacket, ten);
        auto wrongSource = good;
        wrongSource.srcCid = 4;
        guest.send(wrongSource, ten);
        auto wrongDestination = good;
        wrongDestination.dstCid = 7;
        guest.send(wrongDestination, ten);
        auto beyondBuffer = good;
        beyondBuffer.len = 100; // only 10 bytes follow
        guest.sendRaw(beyondBuffer, ten, 44);
        auto huge = good;
        huge.len = 0xffffffffu;
        guest.sendRaw(huge, ten, 44);
        auto request = good;
        request.op = vsock::kOpRequest;
        request.srcCid = 0xffffffff00000003ull; // upper CID bits set
        guest.sendRaw(request, {}, 44);

        QCOMPARE(fixture.rig->device->stats().malformedPackets, uint64_t {9});
        QVERIFY(guest.receive().empty()); // no answer to any of them
        QVERIFY(!hostReadable(client.get())); // and no byte reached the host
        // The connection is untouched.
        guest.send(good, ten);
        QCOMPARE(readHostWhilePumping(*fixture.rig, client.get(), 10), std::string(10, 'z'));
        writeHost(client.get(), "fine");
        auto data = guest.receiveOp(vsock::kOpRw);
        QVERIFY(data);
        QCOMPARE(textOf(data->payload), std::string("fine"));
        QCOMPARE(guest.badLengths(), 0);
    }

    void rxBufferShorterThanAHeaderIsReturnedEmpty()
    {
        Fixture fixture({}, false);
        VirtqueueDriver& driver = *fixture.rig->driver;
        QVERIFY(driver.initialize());
        uint64_t tiny = driver.allocate(20);
        uint64_t whole = driver.allocate(4096);
        uint16_t tinyHead = driver.addChain(VsockDevice::kRxQueue, {{tiny, 20, true}});
        uint16_t wholeHead = driver.addChain(VsockDevice::kRxQueue, {{whole, 4096, true}});
        driver.notify(VsockDevice::kRxQueue);
        // A packet for no connection: the device owes the guest an RST.
        VsockHeader packet = fixture.guest->header(vsock::kOpRw, 50000, 9);
        packet.len = 0;
        uint64_t header = driver.allocate(VsockHeader::kSize);
        uint8_t bytes[VsockHeader::kSize];
        std::memcpy(bytes, &packet, sizeof bytes);
        driver.write(header, bytes);
        driver.addChain(VsockDevice::kTxQueue, {{header, uint32_t(VsockHeader::kSize), false}});
        driver.notify(VsockDevice::kTxQueue);
        auto first = driver.takeUsed(VsockDevice::kRxQueue);
        auto second = driver.takeUsed(VsockDevice::kRxQueue);
        QVERIFY(first && second);
        QCOMPARE(first->id, uint32_t {tinyHead});
        QCOMPARE(first->length, 0u);
        QCOMPARE(second->id, uint32_t {wholeHead});
        QCOMPARE(second->length, uint32_t(VsockHeader::kSize));
        VsockHeader reply;
        std::vector<uint8_t> raw = driver.readBytes(whole, VsockHeader::kSize);
        std::memcpy(&reply, raw.data(), raw.size());
        QCOMPARE(reply.op, vsock::kOpRst);
        QCOMPARE(reply.dstPort, 50000u);
    }

    void connectionLimitRefusesBeyond()
    {
        VsockOptions options;
        options.maxConnections = 3;
        Fixture fixture(options);
        UniqueFd clients[3];
        for (int i = 0; i < 3; ++i)
            QVERIFY(establishHostConnection(fixture, clients[i], 3000 + uint32_t(i)) != 0);
        UniqueFd extra = connectHostClient(fixture.path);
        QVERIFY(hostSeesEof(*fixture.rig, extra.get()));
        UniqueFd listener = listenHost(fixture.path + "_8000");
        fixture.guest->send(fixture.guest->header(vsock::kOpRequest, 42000, 8000));
        QVERIFY(fixture.guest->receiveOp(vsock::kOpRst));
        QCOMPARE(fixture.rig->device->stats().connectionsRefused, uint64_t {2});
        // One closes (and the guest completes the close): room again.
        fixture.guest->send(fixture.guest->header(vsock::kOpRst, 3000, 1u << 30));
        fixture.rig->pump();
        fixture.guest->send(fixture.guest->header(vsock::kOpRequest, 42001, 8000));
        QVERIFY(fixture.guest->receiveOp(vsock::kOpResponse));
    }

    void deviceResetClosesHostClientsAndReportsTransportReset()
    {
        Fixture fixture;
        UniqueFd clients[2];
        for (int i = 0; i < 2; ++i)
            QVERIFY(establishHostConnection(fixture, clients[i], 4000 + uint32_t(i)) != 0);
        QVERIFY(fixture.guest->events().empty()); // nothing on the first activation
        fixture.rig->driver->reset();
        QCOMPARE(fixture.rig->device->stats().connectionsOpen, uint64_t {0});
        for (UniqueFd& client : clients)
            QVERIFY(hostSeesEof(*fixture.rig, client.get()));
        // The driver comes back: it hears TRANSPORT_RESET, and new connections work.
        QVERIFY(fixture.guest->start());
        QCOMPARE(fixture.guest->events(), std::vector<uint32_t> {vsock::kEventTransportReset});
        UniqueFd again;
        QVERIFY(establishHostConnection(fixture, again, 4002) != 0);
    }
};

QTEST_GUILESS_MAIN(VirtioVsockLimitsTest)
#include "tst_virtio_vsock_limits.moc"
