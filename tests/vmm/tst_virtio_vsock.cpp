// virtio-vsock (virtio 1.1 §5.10) with its host side over Unix sockets, as the guest agent and
// the app meet it: host- and guest-initiated connections, data both ways, several streams, the
// shutdown paths and timeouts. tst_virtio_vsock_limits covers credit, malformed packets, the
// connection limit and reset. The guest is tst_virtio_vsock_guest.h playing Linux's
// virtio_transport; no KVM needed.

#include "tst_virtio_vsock_support.h"

class VirtioVsockTest : public QObject {
    Q_OBJECT

private slots:
    void identifiesAsSocketDeviceWithGuestCid()
    {
        VsockOptions options;
        options.guestCid = 42;
        Fixture fixture(options, false);
        VirtqueueDriver& driver = *fixture.rig->driver;
        QCOMPARE(driver.read32(MmioTransport::kDeviceId), virtio::kDeviceIdSocket);
        QCOMPARE(driver.deviceFeatures(), virtio::featureBit(virtio::kFeatureVersion1));
        QCOMPARE(fixture.rig->transport->queueCount(), size_t {3});
        std::vector<uint8_t> cid = driver.readConfig(0, 8);
        uint64_t value = 0;
        std::memcpy(&value, cid.data(), 8);
        QCOMPARE(value, uint64_t {42});
        QVERIFY(fixture.guest->start());
    }

    void socketPathIsCreatedRefusedTwiceAndRemoved()
    {
        QTemporaryDir directory;
        std::string path = directory.path().toStdString() + "/vsock";
        auto loop = EventLoop::create().value();
        {
            auto device = VsockDevice::create(path, loop);
            QVERIFY(device);
            QVERIFY(QFile::exists(QString::fromStdString(path)));
            auto second = VsockDevice::create(path, loop);
            QVERIFY(!second); // an existing path is never replaced
            QVERIFY(second.error().message().find(path) != std::string::npos);
        }
        QVERIFY(!QFile::exists(QString::fromStdString(path)));
        VsockOptions badCid;
        badCid.guestCid = 2;
        QVERIFY(!VsockDevice::create(path, loop, badCid));
    }

    void hostInitiatedHandshake()
    {
        Fixture fixture;
        UniqueFd client = connectHostClient(fixture.path);
        QVERIFY(client.isValid());
        writeHost(client.get(), "CONNECT 1234\n");
        auto request = fixture.guest->receiveOp(vsock::kOpRequest);
        QVERIFY(request);
        QCOMPARE(request->header.srcCid, vsock::kHostCid);
        QCOMPARE(request->header.dstCid, VsockGuest::kCid);
        QCOMPARE(request->header.dstPort, kGuestPort);
        QVERIFY(request->header.srcPort >= VsockMuxer::kFirstLocalPort);
        QCOMPARE(request->header.type, vsock::kTypeStream);
        QCOMPARE(request->header.bufAlloc, VsockOptions {}.bufferBytes);
        QVERIFY(!hostReadable(client.get())); // no OK before the guest answers
        uint32_t hostPort = request->header.srcPort;
        fixture.guest->send(fixture.guest->header(vsock::kOpResponse, kGuestPort, hostPort));
        std::string line = readHostWhilePumping(*fixture.rig, client.get(), 14);
        QCOMPARE(line, "OK " + std::to_string(hostPort) + "\n");
        QCOMPARE(fixture.rig->device->stats().connectionsOpen, uint64_t {1});
    }

    void hostClientSeesCloseWhenGuestRefuses()
    {
        Fixture fixture;
        UniqueFd client = connectHostClient(fixture.path);
        writeHost(client.get(), "CONNECT 99\n");
        auto request = fixture.guest->receiveOp(vsock::kOpRequest);
        QVERIFY(request);
        fixture.guest->send(fixture.guest->header(vsock::kOpRst, 99, request->header.srcPort));
        bool eof = false;
        std::string bytes = readHostWhilePumping(*fixture.rig, client.get(), 1, &eof);
        QVERIFY(eof);
        QVERIFY(bytes.empty()); // never "OK"
        QCOMPARE(fixture.rig->device->stats().connectionsOpen, uint64_t {0});
    }

    void badConnectLinesAreClosed()
    {
        Fixture fixture;
        for (const std::string& line : std::vector<std::string> {"CONNECT\n", "CONNECT 12x\n",
                 "connect 5\n", "CONNECT 99999999999\n", std::string(40, 'A')}) {
            UniqueFd client = connectHostClient(fixture.path);
            writeHost(client.get(), line);
            QVERIFY2(hostSeesEof(*fixture.rig, client.get()), line.c_str());
        }
        QVERIFY(fixture.guest->receive().empty()); // the guest heard of none of them
    }

    void dataFlowsBothWaysExactly()
    {
        Fixture fixture;
        UniqueFd client;
        uint32_t hostPort = establishHostConnection(fixture, client);
        QVERIFY(hostPort != 0);
        writeHost(client.get(), "hello from the host");
        auto data = fixture.guest->receiveOp(vsock::kOpRw);
        QVERIFY(data);
        QCOMPARE(textOf(data->payload), std::string("hello from the host"));
        QCOMPARE(data->header.srcPort, hostPort);
        QCOMPARE(data->header.dstPort, kGuestPort);
        std::string reply = "and hello from the guest";
        fixture.guest->send(
            fixture.guest->header(vsock::kOpRw, kGuestPort, hostPort), bytesOf(reply));
        QCOMPARE(readHostWhilePumping(*fixture.rig, client.get(), reply.size()), reply);
        VsockStats stats = fixture.rig->device->stats();
        QCOMPARE(stats.bytesToGuest, uint64_t {19});
        QCOMPARE(stats.bytesFromGuest, uint64_t {reply.size()});
    }

    void guestInitiatedConnectionReachesHostListener()
    {
        Fixture fixture;
        UniqueFd listener = listenHost(fixture.path + "_5000");
        QVERIFY(listener.isValid());
        fixture.guest->send(fixture.guest->header(vsock::kOpRequest, 40000, 5000));
        auto response = fixture.guest->receiveOp(vsock::kOpResponse);
        QVERIFY(response);
        QCOMPARE(response->header.srcPort, 5000u);
        QCOMPARE(response->header.dstPort, 40000u);
        UniqueFd server(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        QVERIFY(server.isValid());
        fixture.guest->send(fixture.guest->header(vsock::kOpRw, 40000, 5000), bytesOf("ping"));
        QCOMPARE(readHostWhilePumping(*fixture.rig, server.get(), 4), std::string("ping"));
        writeHost(server.get(), "pong");
        auto data = fixture.guest->receiveOp(vsock::kOpRw);
        QVERIFY(data);
        QCOMPARE(textOf(data->payload), std::string("pong"));
    }

    void guestConnectionWithoutListenerIsReset()
    {
        Fixture fixture;
        fixture.guest->send(fixture.guest->header(vsock::kOpRequest, 40001, 6000));
        auto reset = fixture.guest->receiveOp(vsock::kOpRst);
        QVERIFY(reset);
        QCOMPARE(reset->header.srcPort, 6000u);
        QCOMPARE(reset->header.dstPort, 40001u);
        QCOMPARE(fixture.rig->device->stats().connectionsRefused, uint64_t {1});
        // A packet for no connection is answered with RST too; an RST is never answered.
        fixture.guest->send(fixture.guest->header(vsock::kOpRw, 40002, 6001), bytesOf("x"));
        QVERIFY(fixture.guest->receiveOp(vsock::kOpRst));
        fixture.guest->send(fixture.guest->header(vsock::kOpRst, 40003, 6002));
        QVERIFY(fixture.guest->receive().empty());
    }

    void severalStreamsInterleave()
    {
        Fixture fixture;
        constexpr int kHostStreams = 3;
        UniqueFd clients[kHostStreams];
        uint32_t hostPorts[kHostStreams] = {};
        for (int i = 0; i < kHostStreams; ++i) {
            hostPorts[i] = establishHostConnection(fixture, clients[i], 2000 + uint32_t(i));
            QVERIFY(hostPorts[i] != 0);
        }
        UniqueFd listener = listenHost(fixture.path + "_7000");
        fixture.guest->send(fixture.guest->header(vsock::kOpRequest, 41000, 7000));
        fixture.guest->send(fixture.guest->header(vsock::kOpRequest, 41001, 7000));
        std::vector<VsockGuestPacket> seen;
        QVERIFY(fixture.guest->receiveOp(vsock::kOpResponse, &seen));
        if (seen.empty())
            QVERIFY(fixture.guest->receiveOp(vsock::kOpResponse));
        UniqueFd servers[2] = {UniqueFd(::accept(listener.get(), nullptr, nullptr)),
            UniqueFd(::accept(listener.get(), nullptr, nullptr))};
        QVERIFY(servers[0].isValid() && servers[1].isValid());
        QCOMPARE(fixture.rig->device->stats().connectionsOpen, uint64_t {5});

        // Rounds of writes on every stream, both ways, then each stream's bytes are checked.
        std::map<uint32_t, std::string> toGuest; // by guest port
        std::string expectedToGuest[kHostStreams];
        for (int round = 0; round < 5; ++round) {
            for (int i = 0; i < kHostStreams; ++i) {
                std::string chunk = "h" + std::to_string(i) + "r" + std::to_string(round) + ";";
                expectedToGuest[i] += chunk;
                writeHost(clients[i].get(), chunk);
                std::string back = "g" + std::to_string(i) + "r" + std::to_string(round) + ";";
                fixture.guest->send(
                    fixture.guest->header(vsock::kOpRw, 2000 + uint32_t(i), hostPorts[i]),
                    bytesOf(back));
            }
            fixture.guest->send(fixture.guest->header(vsock::kOpRw, 41001, 7000), bytesOf("b"));
            fixture.guest->send(fixture.guest->header(vsock::kOpRw, 41000, 7000), bytesOf("a"));
            for (VsockGuestPacket& packet : fixture.guest->receive()) {
                if (packet.header.op == vsock::kOpRw)
                    toGuest[packet.header.dstPort] += textOf(packet.payload);
            }
        }
        QVERIFY(fixture.rig->pumpUntil([&] {
            for (VsockGuestPacket& packet : fixture.guest->receive()) {
                if (packet.header.op == vsock::kOpRw)
                    toGuest[packet.header.dstPort] += textOf(packet.payload);
            }
            for (int i = 0; i < kHostStreams; ++i) {
                if (toGuest[2000 + uint32_t(i)].size() < expectedToGuest[i].size())
                    return false;
            }
            return true;
        }));
        for (int i = 0; i < kHostStreams; ++i) {
            QCOMPARE(toGuest[2000 + uint32_t(i)], expectedToGuest[i]);
            std::string expected;
            for (int round = 0; round < 5; ++round)
                expected += "g" + std::to_string(i) + "r" + std::to_string(round) + ";";
            QCOMPARE(
                readHostWhilePumping(*fixture.rig, clients[i].get(), expected.size()), expected);
        }
        // Accept order is the guest's REQUEST order: 41000 then 41001.
        QCOMPARE(readHostWhilePumping(*fixture.rig, servers[0].get(), 5), std::string("aaaaa"));
        QCOMPARE(readHostWhilePumping(*fixture.rig, servers[1].get(), 5), std::string("bbbbb"));
    }

    void guestShutdownIsGraceful()
    {
        Fixture fixture;
        UniqueFd client;
        uint32_t hostPort = establishHostConnection(fixture, client);
        QVERIFY(hostPort != 0);
        // SEND: the client reads the last bytes, then EOF, and can still write to the guest.
        fixture.guest->send(
            fixture.guest->header(vsock::kOpRw, kGuestPort, hostPort), bytesOf("last"));
        auto sendDone = fixture.guest->header(vsock::kOpShutdown, kGuestPort, hostPort);
        sendDone.flags = vsock::kShutdownSend;
        fixture.guest->send(sendDone);
        bool eof = false;
        QCOMPARE(readHostWhilePumping(*fixture.rig, client.get(), 5, &eof), std::string("last"));
        QVERIFY(eof);
        writeHost(client.get(), "still talking");
        auto data = fixture.guest->receiveOp(vsock::kOpRw);
        QVERIFY(data);
        QCOMPARE(textOf(data->payload), std::string("still talking"));
        // Both: the device completes the close with RST.
        auto both = fixture.guest->header(vsock::kOpShutdown, kGuestPort, hostPort);
        both.flags = vsock::kShutdownBoth;
        fixture.guest->send(both);
        QVERIFY(fixture.guest->receiveOp(vsock::kOpRst));
        QCOMPARE(fixture.rig->device->stats().connectionsOpen, uint64_t {0});
    }

    void hostCloseShutsDownTheGuestSide()
    {
        Fixture fixture;
        UniqueFd client;
        uint32_t hostPort = establishHostConnection(fixture, client);
        QVERIFY(hostPort != 0);
        writeHost(client.get(), "bye");
        client.reset();
        std::vector<VsockGuestPacket> before;
        auto shutdown = fixture.guest->receiveOp(vsock::kOpShutdown, &before);
        QVERIFY(shutdown);
        QCOMPARE(shutdown->header.flags, vsock::kShutdownBoth);
        QCOMPARE(before.size(), size_t {1}); // the data came first
        QCOMPARE(textOf(before[0].payload), std::string("bye"));
        fixture.guest->send(fixture.guest->header(vsock::kOpRst, kGuestPort, hostPort));
        fixture.rig->pump();
        QCOMPARE(fixture.rig->device->stats().connectionsOpen, uint64_t {0});
    }

    void closingConnectionIsResetWhenTheGuestNeverAnswers()
    {
        VsockOptions options;
        options.shutdownTimeout = 100ms;
        Fixture fixture(options);
        UniqueFd client;
        uint32_t hostPort = establishHostConnection(fixture, client);
        QVERIFY(hostPort != 0);
        client.reset();
        QVERIFY(fixture.guest->receiveOp(vsock::kOpShutdown));
        auto reset = fixture.guest->receiveOp(vsock::kOpRst, nullptr, 2000ms);
        QVERIFY(reset);
        QCOMPARE(reset->header.srcPort, hostPort);
        QCOMPARE(fixture.rig->device->stats().connectionsOpen, uint64_t {0});
    }

    void connectTimesOutWhenTheGuestNeverAnswers()
    {
        VsockOptions options;
        options.connectTimeout = 150ms;
        Fixture fixture(options);
        UniqueFd client = connectHostClient(fixture.path);
        writeHost(client.get(), "CONNECT 77\n");
        QVERIFY(fixture.guest->receiveOp(vsock::kOpRequest));
        auto started = std::chrono::steady_clock::now();
        QVERIFY(hostSeesEof(*fixture.rig, client.get(), 2000ms));
        QVERIFY(std::chrono::steady_clock::now() - started >= 100ms);
        QVERIFY(fixture.guest->receiveOp(vsock::kOpRst)); // the guest forgets the half-open one
        // A client that never finishes its line is closed too.
        UniqueFd silent = connectHostClient(fixture.path);
        writeHost(silent.get(), "CONN");
        QVERIFY(hostSeesEof(*fixture.rig, silent.get(), 2000ms));
    }

    void clientsConnectingBeforeTheGuestIsUpAreHeld()
    {
        Fixture fixture({}, false);
        UniqueFd client = connectHostClient(fixture.path);
        writeHost(client.get(), "CONNECT 1234\n");
        fixture.rig->pump();
        QVERIFY(!hostReadable(client.get()));
        QVERIFY(fixture.guest->start());
        auto request = fixture.guest->receiveOp(vsock::kOpRequest);
        QVERIFY(request);
        fixture.guest->send(
            fixture.guest->header(vsock::kOpResponse, kGuestPort, request->header.srcPort));
        QCOMPARE(readHostWhilePumping(*fixture.rig, client.get(), 14),
            "OK " + std::to_string(request->header.srcPort) + "\n");
    }
};

QTEST_GUILESS_MAIN(VirtioVsockTest)
#include "tst_virtio_vsock.moc"
