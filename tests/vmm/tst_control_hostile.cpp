// Everything the app sends is hostile input: each malformed or out-of-protocol frame is answered
// with an Error, the channel closes, and the machine is stopped (a VM without its app must not run
// on). An unknown frame kind is refused without closing (a newer minor version's request).

#include "control/ControlCommands.h"
#include "control/StreamMessages.h"
#include "protocol/ErrorMessage.h"
#include "protocol/FrameDecoder.h"
#include "protocol/FrameEncoder.h"
#include "tst_control_support.h"

#include <QTemporaryDir>
#include <QTest>

using namespace std::chrono_literals;
using nlohmann::json;

namespace {

std::vector<uint8_t> encode(const vmm::Frame& frame)
{
    return *vmm::FrameEncoder::encode(frame);
}

vmm::Frame hello(uint32_t major = 1, std::string protocol = "airlock-control")
{
    return vmm::Hello {std::move(protocol), {major, 0}, "test"}.toFrame();
}

vmm::Frame frame(
    vmm::ControlKind kind, json header = json::object(), std::vector<uint8_t> payload = {})
{
    return vmm::makeControlFrame(kind, std::move(header), std::move(payload));
}

void sendAll(int fd, const std::vector<uint8_t>& bytes)
{
    for (size_t sent = 0; sent < bytes.size();) {
        ssize_t count = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (count <= 0)
            return;
        sent += static_cast<size_t>(count);
    }
}

// Reads frames until the server closes (or `timeout`): the frames, and whether it closed.
struct Received {
    std::vector<vmm::Frame> frames;
    bool closed = false;
};
Received readUntil(int fd, std::chrono::milliseconds timeout,
    const std::function<bool(const vmm::Frame&)>& stopAt = {})
{
    Received received;
    vmm::FrameDecoder decoder;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd entry {fd, POLLIN, 0};
        if (::poll(&entry, 1, 50) <= 0)
            continue;
        uint8_t buffer[65536];
        ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
        if (got <= 0) {
            received.closed = true;
            return received;
        }
        auto frames = decoder.feed(std::span(buffer, static_cast<size_t>(got)));
        if (!frames)
            return received;
        for (auto& each : *frames) {
            received.frames.push_back(std::move(each));
            if (stopAt && stopAt(received.frames.back()))
                return received;
        }
    }
    return received;
}

std::optional<vmm::ErrorMessage> errorIn(const Received& received)
{
    for (const auto& each : received.frames) {
        if (each.kind == vmm::toWire(vmm::MessageKind::Error))
            return *vmm::ErrorMessage::fromJson(each.header);
    }
    return std::nullopt;
}

bool isKind(vmm::ControlKind kind, const vmm::Frame& each)
{
    return each.kind == vmm::toWire(kind);
}

} // namespace

class ControlHostileTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

private slots:
    void malformedInputClosesTheChannelAndStopsTheMachine_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("sayHello");
        QTest::addColumn<QString>("code");
        auto row = [](const char* name, std::vector<uint8_t> bytes, bool sayHello,
                       const char* code) {
            QTest::newRow(name) << QByteArray(reinterpret_cast<const char*>(bytes.data()),
                                       static_cast<qsizetype>(bytes.size()))
                                << sayHello << code;
        };
        std::vector<uint8_t> badMagic(12, 'X');
        row("bad magic", badMagic, true, "protocol");
        std::vector<uint8_t> hugeJson {'A', 'L', 0x01, 0x02, 0x00, 0x00, 0x10, 0x00, 0, 0, 0, 0};
        row("JSON length over the cap", hugeJson, true, "protocol");
        std::vector<uint8_t> notObject {'A', 'L', 0x01, 0x02, 2, 0, 0, 0, 0, 0, 0, 0, '[', ']'};
        row("header not an object", notObject, true, "protocol");
        row("a command before hello", encode(frame(vmm::ControlKind::Status, {{"id", 1}})), false,
            "protocol");
        row("another major version", encode(hello(2)), false, "version");
        row("another protocol", encode(hello(1, "airlock-agent")), false, "version");
        row("a second hello", encode(hello()), true, "protocol");
        row("a reply from the app",
            encode(frame(vmm::ControlKind::Reply, {{"id", 1}, {"ok", true}})), true, "invalid");
        row("a state event from the app",
            encode(frame(vmm::ControlKind::State, {{"state", "running"}})), true, "invalid");
        row("status id a string", encode(frame(vmm::ControlKind::Status, {{"id", "1"}})), true,
            "invalid");
        row("stop force a number", encode(frame(vmm::ControlKind::Stop, {{"id", 1}, {"force", 1}})),
            true, "invalid");
        row("metrics every 10 ms",
            encode(frame(vmm::ControlKind::SubscribeMetrics, {{"id", 1}, {"intervalMs", 10}})),
            true, "invalid");
        row("console input over 64 KiB",
            encode(frame(
                vmm::ControlKind::ConsoleInput, {{"id", 1}}, std::vector<uint8_t>(65537, 'a'))),
            true, "invalid");
        row("empty stream data", encode(frame(vmm::ControlKind::StreamData, {{"stream", 1}})), true,
            "invalid");
        row("stream data over 64 KiB",
            encode(frame(
                vmm::ControlKind::StreamData, {{"stream", 1}}, std::vector<uint8_t>(65537, 'a'))),
            true, "invalid");
        row("stream-end with a payload",
            encode(frame(vmm::ControlKind::StreamEnd, {{"stream", 1}}, {1})), true, "invalid");
        row("stream 0",
            encode(frame(vmm::ControlKind::StreamOpen, {{"stream", 0}, {"port", 1024}})), true,
            "invalid");
        std::string grant(64, 'a');
        row("add-dataset name with a slash",
            encode(frame(vmm::ControlKind::AddDataset,
                {{"id", 1}, {"name", "../x"}, {"path", "/srv/x"}, {"grant", grant}})),
            true, "invalid");
        row("add-dataset name '..'",
            encode(frame(vmm::ControlKind::AddDataset,
                {{"id", 1}, {"name", ".."}, {"path", "/srv/x"}, {"grant", grant}})),
            true, "invalid");
        row("add-dataset relative path",
            encode(frame(vmm::ControlKind::AddDataset,
                {{"id", 1}, {"name", "x"}, {"path", "srv/x"}, {"grant", grant}})),
            true, "invalid");
        row("add-dataset grant not hex",
            encode(frame(vmm::ControlKind::AddDataset,
                {{"id", 1}, {"name", "x"}, {"path", "/srv/x"}, {"grant", std::string(64, 'g')}})),
            true, "invalid");
        row("add-dataset grant short",
            encode(frame(vmm::ControlKind::AddDataset,
                {{"id", 1}, {"name", "x"}, {"path", "/srv/x"}, {"grant", "abcd"}})),
            true, "invalid");
        row("add-dataset without grant",
            encode(frame(
                vmm::ControlKind::AddDataset, {{"id", 1}, {"name", "x"}, {"path", "/srv/x"}})),
            true, "invalid");
        row("add-dataset path over 4096 bytes",
            encode(frame(vmm::ControlKind::AddDataset,
                {{"id", 1}, {"name", "x"}, {"path", "/" + std::string(4096, 'p')},
                    {"grant", grant}})),
            true, "invalid");
        row("stream-opened from the app",
            encode(frame(vmm::ControlKind::StreamOpened, {{"stream", 1}})), true, "invalid");
    }
    void malformedInputClosesTheChannelAndStopsTheMachine()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, sayHello);
        QFETCH(QString, code);
        FakeTarget target;
        ServerHarness harness(target);
        int fd = harness.appSide;
        if (sayHello) {
            sendAll(fd, encode(hello()));
            auto greeted = readUntil(fd, 2000ms,
                [](const vmm::Frame& each) { return isKind(vmm::ControlKind::State, each); });
            QVERIFY2(!greeted.frames.empty() &&
                    greeted.frames[0].kind == vmm::toWire(vmm::MessageKind::Hello),
                "no hello back");
        }
        sendAll(fd, std::vector<uint8_t>(bytes.begin(), bytes.end()));
        Received received = readUntil(fd, 3000ms);
        auto error = errorIn(received);
        QVERIFY2(error, "no error frame");
        QCOMPARE(QString::fromStdString(error->code), code);
        QVERIFY2(received.closed, "the channel stayed open");
        auto stops = target.stopCalls();
        QCOMPARE(stops.size(), size_t(1));
        QVERIFY2(stops[0].force, "a broken channel must stop the machine at once");
        QVERIFY2(stops[0].why.find("control channel") != std::string::npos, stops[0].why.c_str());
    }

    void streamCreditIsEnforced_data()
    {
        QTest::addColumn<QString>("abuse");
        QTest::newRow("more than the window without acks") << "overrun";
        QTest::newRow("acks for bytes never sent") << "ack";
        QTest::newRow("data after stream-end") << "after-end";
        QTest::newRow("the same stream opened twice") << "duplicate";
    }
    void streamCreditIsEnforced()
    {
        QFETCH(QString, abuse);
        FakeTarget target;
        target.socketPath = m_directory.filePath("vsock-" + abuse + ".sock").toStdString();
        FakeHybridVsock vsock(target.socketPath);
        ServerHarness harness(target);
        int fd = harness.appSide;
        sendAll(fd, encode(hello()));
        sendAll(fd, encode(vmm::StreamOpen {7, abuse == "overrun" ? 8u : 1024u}.toFrame()));
        auto opened = readUntil(fd, 3000ms,
            [](const vmm::Frame& each) { return isKind(vmm::ControlKind::StreamOpened, each); });
        QVERIFY2(
            !opened.frames.empty() && isKind(vmm::ControlKind::StreamOpened, opened.frames.back()),
            "the stream did not open");
        if (abuse == "overrun") {
            // The guest reads nothing: once its socket buffer is full the VMM acknowledges nothing
            // more, and the app may send no more than one window past its last ack.
            for (int i = 0; i < 40; ++i)
                sendAll(fd,
                    encode(vmm::StreamReference {7}.toFrame(
                        vmm::ControlKind::StreamData, std::vector<uint8_t>(65536, 'z'))));
        } else if (abuse == "ack") {
            sendAll(fd, encode(vmm::StreamAck {7, 100}.toFrame()));
        } else if (abuse == "after-end") {
            sendAll(fd, encode(vmm::StreamReference {7}.toFrame(vmm::ControlKind::StreamEnd)));
            sendAll(
                fd, encode(vmm::StreamReference {7}.toFrame(vmm::ControlKind::StreamData, {1})));
        } else {
            sendAll(fd, encode(vmm::StreamOpen {7, 1024}.toFrame()));
        }
        Received received = readUntil(fd, 3000ms);
        auto error = errorIn(received);
        QVERIFY2(error, "no error frame");
        QVERIFY2(received.closed, "the channel stayed open");
        QCOMPARE(target.stopCalls().size(), size_t(1));
    }

    void addDatasetIsAnsweredLaterFromAnotherThread()
    {
        // The add runs elsewhere (minutes for a big folder would block nothing): the server hands
        // it to the machine and sends the reply whenever and from wherever it comes.
        FakeTarget target;
        ServerHarness harness(target);
        int fd = harness.appSide;
        sendAll(fd, encode(hello()));
        readUntil(fd, 5000ms,
            [](const vmm::Frame& each) { return isKind(vmm::ControlKind::State, each); });
        std::string grant(64, 'F');
        sendAll(fd,
            encode(frame(vmm::ControlKind::AddDataset,
                {{"id", 42}, {"name", "notes 2024"}, {"path", "/srv/notes"}, {"grant", grant}})));
        sendAll(fd, encode(frame(vmm::ControlKind::Status, {{"id", 43}})));
        // The channel keeps serving meanwhile: the status is answered first.
        Received first = readUntil(fd, 5000ms,
            [](const vmm::Frame& each) { return isKind(vmm::ControlKind::Reply, each); });
        QVERIFY(!first.frames.empty());
        auto statusReply = vmm::ControlReply::fromJson(first.frames.back().header);
        QVERIFY(statusReply && statusReply->id == 43 && statusReply->status);
        QTRY_COMPARE(target.addCount(), size_t {1});
        QCOMPARE(target.addCommands[0].name, std::string("notes 2024"));
        QCOMPARE(target.addCommands[0].path, std::string("/srv/notes"));
        QCOMPARE(target.addCommands[0].grant, grant);

        vmm::ControlReply reply;
        reply.id = 42;
        reply.dataset = vmm::DatasetAdded {"notes 2024", 3, 1, 12345, 65536, 180};
        std::thread([&] { target.pendingAdds[0](reply); }).join();
        Received second = readUntil(fd, 5000ms,
            [](const vmm::Frame& each) { return isKind(vmm::ControlKind::Reply, each); });
        QVERIFY2(!second.frames.empty(), "no reply to add-dataset");
        auto added = vmm::ControlReply::fromJson(second.frames.back().header);
        QVERIFY2(added, added ? "" : added.error().message().c_str());
        QCOMPARE(added->id, uint64_t {42});
        QVERIFY(added->ok && added->dataset);
        QCOMPARE(added->dataset->fileCount, uint64_t {3});
        QCOMPARE(added->dataset->mountMs, uint64_t {180});
        QVERIFY(target.stopCalls().empty());

        // Paused, the guest cannot mount anything: refused at once, the machine never asked.
        sendAll(fd, encode(frame(vmm::ControlKind::Pause, {{"id", 44}})));
        sendAll(fd,
            encode(frame(vmm::ControlKind::AddDataset,
                {{"id", 45}, {"name", "more"}, {"path", "/srv/more"}, {"grant", grant}})));
        Received paused = readUntil(fd, 5000ms, [](const vmm::Frame& each) {
            return isKind(vmm::ControlKind::Reply, each) &&
                vmm::ControlReply::fromJson(each.header)->id == 45;
        });
        QVERIFY(!paused.frames.empty());
        auto refused = vmm::ControlReply::fromJson(paused.frames.back().header);
        QVERIFY(refused && refused->id == 45 && !refused->ok);
        QVERIFY2(refused->error.find("paused") != std::string::npos, refused->error.c_str());
        QCOMPARE(target.addCount(), size_t {1});
    }

    void unknownKindIsRefusedWithoutClosing()
    {
        FakeTarget target;
        ServerHarness harness(target);
        int fd = harness.appSide;
        sendAll(fd, encode(hello()));
        sendAll(fd, encode(vmm::Frame {0x02ee, json::object(), {}}));
        sendAll(fd, encode(frame(vmm::ControlKind::Status, {{"id", 5}})));
        Received received = readUntil(fd, 3000ms,
            [](const vmm::Frame& each) { return isKind(vmm::ControlKind::Reply, each); });
        auto error = errorIn(received);
        QVERIFY2(error && error->code == "unsupported", "no unsupported error");
        QVERIFY2(isKind(vmm::ControlKind::Reply, received.frames.back()),
            "the channel did not answer after it");
        QVERIFY(target.stopCalls().empty());
    }

    void noHelloInTimeClosesTheChannel()
    {
        FakeTarget target;
        vmm::ControlServerOptions options;
        options.helloTimeout = 300ms;
        ServerHarness harness(target, options);
        Received received = readUntil(harness.appSide, 3000ms);
        QVERIFY(errorIn(received));
        QVERIFY(received.closed);
        QCOMPARE(target.stopCalls().size(), size_t(1));
    }
};

QTEST_GUILESS_MAIN(ControlHostileTest)

#include "tst_control_hostile.moc"
