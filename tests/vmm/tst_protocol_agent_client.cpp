// The host's agent client (vmm/protocol/AgentClient) against scripted guests: Firecracker's
// hybrid vsock handshake, the Hello exchange, and a guest that lies (wrong hash, wrong count,
// wrong version, wrong frame) is caught rather than believed.

#include "protocol/AgentClient.h"
#include "protocol/AgentProtocol.h"
#include "protocol/ErrorMessage.h"
#include "protocol/FrameEncoder.h"
#include "protocol/FrameStream.h"
#include "protocol/Sha256.h"

#include <functional>
#include <string>
#include <thread>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <QTemporaryDir>
#include <QTest>

using namespace vmm;

namespace {

Hello guestHello(ProtocolVersion version = kAgentProtocolVersion)
{
    return Hello {std::string(kAgentProtocolName), version, "scripted guest"};
}

// A guest played by `script` on the other end of a socketpair; returns the client's end.
struct ScriptedGuest {
    UniqueFd hostEnd;
    std::thread thread;

    explicit ScriptedGuest(std::function<void(FrameStream&)> script)
    {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
            return;
        hostEnd = UniqueFd(fds[0]);
        thread = std::thread([guestFd = fds[1], script = std::move(script)] {
            FrameStream stream(guestFd);
            script(stream);
            ::close(guestFd);
        });
    }
    ~ScriptedGuest()
    {
        if (thread.joinable())
            thread.join();
    }
};

// The guest's half of the Hello exchange.
void answerHello(FrameStream& stream, ProtocolVersion version = kAgentProtocolVersion)
{
    (void)stream.receive(std::chrono::seconds(5));
    (void)stream.send(guestHello(version).toFrame());
}

void expectRequest(FrameStream& stream)
{
    (void)stream.receive(std::chrono::seconds(5));
}

std::vector<uint8_t> bytesOf(std::string_view text)
{
    return std::vector<uint8_t>(text.begin(), text.end());
}

// A Unix socket that plays the VMM's side of the hybrid vsock handshake once.
struct FakeVsockMuxer {
    QTemporaryDir directory;
    std::string path;
    UniqueFd listener;
    std::thread thread;
    std::string received;

    explicit FakeVsockMuxer(std::string reply)
    {
        path = directory.filePath("vsock.sock").toStdString();
        listener = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
        // Safety: sockaddr_un is a sockaddr by the sockets API's layout rules.
        ::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
        ::listen(listener.get(), 1);
        thread = std::thread([this, reply = std::move(reply)] {
            UniqueFd connection(::accept(listener.get(), nullptr, nullptr));
            char byte = 0;
            while (::read(connection.get(), &byte, 1) == 1 && byte != '\n')
                received += byte;
            if (reply.empty())
                return; // hang up, as a VMM with nothing listening on the port does
            // The reply and the guest's Hello in one write: the client must not eat the Hello.
            std::vector<uint8_t> bytes = bytesOf(reply);
            auto hello = FrameEncoder::encode(guestHello().toFrame());
            bytes.insert(bytes.end(), hello->begin(), hello->end());
            [[maybe_unused]] ssize_t written =
                ::write(connection.get(), bytes.data(), bytes.size());
            char rest[64];
            while (::read(connection.get(), rest, sizeof rest) > 0) { }
        });
    }
    ~FakeVsockMuxer() { thread.join(); }
};

} // namespace

class ProtocolAgentClientTest : public QObject {
    Q_OBJECT

private slots:
    void hybridVsockHandshakeThenTheGuestStream()
    {
        FakeVsockMuxer muxer("OK 1073741824\n");
        auto fd = AgentClient::connectHybridVsock(muxer.path, kAgentPort);
        QVERIFY2(fd, fd ? "" : fd.error().message().c_str());
        auto client = AgentClient::create(std::move(*fd));
        QVERIFY2(client, client ? "" : client.error().message().c_str());
        QCOMPARE(client->peer().software, std::string("scripted guest"));
        client = failure(Error::invalid("done", "")); // closes the stream
        muxer.thread.join();
        muxer.thread = std::thread([] {});
        QCOMPARE(muxer.received, std::string("CONNECT 1024"));
    }

    void hybridVsockRefusalsAreErrors()
    {
        {
            FakeVsockMuxer muxer("");
            auto fd = AgentClient::connectHybridVsock(muxer.path, 77);
            QVERIFY(!fd);
            QVERIFY2(fd.error().message().find("closed") != std::string::npos,
                fd.error().message().c_str());
        }
        {
            FakeVsockMuxer muxer("NO\x01 way\n");
            auto fd = AgentClient::connectHybridVsock(muxer.path, 77);
            QVERIFY(!fd);
            QVERIFY2(fd.error().message().find("NO? way") != std::string::npos,
                fd.error().message().c_str());
        }
        auto missing = AgentClient::connectHybridVsock("/nonexistent/airlock.sock", 1024);
        QVERIFY(!missing);
        QCOMPARE(missing.error().errnoValue(), ENOENT);
    }

    void aGuestOfAnotherMajorVersionIsRefused()
    {
        ScriptedGuest guest([](FrameStream& stream) { answerHello(stream, {2, 0}); });
        auto client = AgentClient::create(std::move(guest.hostEnd));
        QVERIFY(!client);
        QVERIFY2(client.error().message().find("version 2.0") != std::string::npos,
            client.error().message().c_str());
    }

    void aGuestThatRefusesOurHelloIsReported()
    {
        ScriptedGuest guest([](FrameStream& stream) {
            expectRequest(stream);
            (void)stream.send(ErrorMessage {"version", "this guest speaks 7.x"}.toFrame());
        });
        auto client = AgentClient::create(std::move(guest.hostEnd));
        QVERIFY(!client);
        QVERIFY(client.error().message().find("this guest speaks 7.x") != std::string::npos);
    }

    void aFileWhoseHashDoesNotMatchIsRefused()
    {
        ScriptedGuest guest([](FrameStream& stream) {
            answerHello(stream);
            expectRequest(stream);
            (void)stream.send(OutboxFileBegin {"r.txt", 5}.toFrame());
            (void)stream.send(
                makeFrame(MessageKind::OutboxFileChunk, {{"offset", 0}}, bytesOf("hello")));
            // The hash of other bytes: a guest that changed the file, or lies.
            (void)stream.send(OutboxFileEnd {5, Sha256::hexDigest(bytesOf("HELLO"))}.toFrame());
        });
        auto client = AgentClient::create(std::move(guest.hostEnd));
        QVERIFY(client);
        std::string received;
        auto end =
            client->fetchOutboxFile("r.txt", [&](std::span<const uint8_t> bytes) -> Result<void> {
                received.append(bytes.begin(), bytes.end());
                return {};
            });
        QVERIFY(!end);
        QVERIFY2(end.error().message().find("do not match") != std::string::npos,
            end.error().message().c_str());
    }

    void aGoodFetchIsVerified()
    {
        ScriptedGuest guest([](FrameStream& stream) {
            answerHello(stream);
            expectRequest(stream);
            (void)stream.send(OutboxFileBegin {"r.txt", 11}.toFrame());
            (void)stream.send(
                makeFrame(MessageKind::OutboxFileChunk, {{"offset", 0}}, bytesOf("hello ")));
            (void)stream.send(
                makeFrame(MessageKind::OutboxFileChunk, {{"offset", 6}}, bytesOf("world")));
            (void)stream.send(
                OutboxFileEnd {11, Sha256::hexDigest(bytesOf("hello world"))}.toFrame());
        });
        auto client = AgentClient::create(std::move(guest.hostEnd));
        QVERIFY(client);
        std::string received;
        auto end =
            client->fetchOutboxFile("r.txt", [&](std::span<const uint8_t> bytes) -> Result<void> {
                received.append(bytes.begin(), bytes.end());
                return {};
            });
        QVERIFY2(end, end ? "" : end.error().message().c_str());
        QCOMPARE(received, std::string("hello world"));
    }

    void chunksOutOfOrderAreRefused()
    {
        ScriptedGuest guest([](FrameStream& stream) {
            answerHello(stream);
            expectRequest(stream);
            (void)stream.send(OutboxFileBegin {"r.txt", 11}.toFrame());
            (void)stream.send(
                makeFrame(MessageKind::OutboxFileChunk, {{"offset", 6}}, bytesOf("world")));
        });
        auto client = AgentClient::create(std::move(guest.hostEnd));
        QVERIFY(client);
        auto end = client->fetchOutboxFile(
            "r.txt", [](std::span<const uint8_t>) -> Result<void> { return {}; });
        QVERIFY(!end);
    }

    void aListingWithTheWrongCountOrABadPathIsRefused()
    {
        ScriptedGuest guest([](FrameStream& stream) {
            answerHello(stream);
            expectRequest(stream);
            (void)stream.send(OutboxEntry {"a.txt", 1, std::string(64, '0'), 0}.toFrame());
            (void)stream.send(OutboxListEnd {2, 0}.toFrame());
            expectRequest(stream);
            (void)stream.send(makeFrame(MessageKind::OutboxEntry,
                {{"path", "../../home/user/.ssh/id_rsa"}, {"size", 1},
                    {"sha256", std::string(64, '0')}, {"mtimeNs", 0}}));
        });
        auto client = AgentClient::create(std::move(guest.hostEnd));
        QVERIFY(client);
        auto listing = client->listOutbox();
        QVERIFY(!listing);
        QVERIFY(listing.error().message().find("count") != std::string::npos);
        auto hostile = client->listOutbox();
        QVERIFY(!hostile);
        QVERIFY2(hostile.error().message().find("path") != std::string::npos,
            hostile.error().message().c_str());
    }

    void anUnexpectedFrameIsAnError()
    {
        ScriptedGuest guest([](FrameStream& stream) {
            answerHello(stream);
            expectRequest(stream);
            (void)stream.send(makeFrame(MessageKind::ShutdownAccepted));
        });
        auto client = AgentClient::create(std::move(guest.hostEnd));
        QVERIFY(client);
        auto metrics = client->metrics();
        QVERIFY(!metrics);
        QVERIFY2(metrics.error().message().find("unexpected ShutdownAccepted") != std::string::npos,
            metrics.error().message().c_str());
    }

    void aGuestThatHangsUpMidCommandIsAnError()
    {
        ScriptedGuest guest([](FrameStream& stream) {
            answerHello(stream);
            expectRequest(stream);
            (void)stream.send(ExecStarted {42}.toFrame());
            (void)stream.send(makeFrame(MessageKind::StdoutData, {}, bytesOf("partial")));
        });
        auto client = AgentClient::create(std::move(guest.hostEnd));
        QVERIFY(client);
        std::string output;
        auto exited = client->exec(ExecRequest {{"true"}, {}, "/", false}, -1,
            [&](AgentClient::OutputStream, std::span<const uint8_t> bytes) -> Result<void> {
                output.append(bytes.begin(), bytes.end());
                return {};
            });
        QVERIFY(!exited);
        QCOMPARE(output, std::string("partial"));
        QVERIFY(exited.error().message().find("closed") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(ProtocolAgentClientTest)
#include "tst_protocol_agent_client.moc"
