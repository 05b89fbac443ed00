// Who may reach the VNC server and what they get: TCP only on loopback and only with the
// password, nothing on TCP unless asked, no WebSocket/HTTP service, and the whole server running
// under the display thread's real seccomp filter.

#include "display/DisplayServer.h"
#include "sandbox/SeccompFilter.h"
#include "tst_display_support.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <poll.h>

#include <linux/input-event-codes.h>

#include <QTemporaryDir>
#include <QTest>

using namespace vmm;
using namespace displaytest;
using namespace std::chrono_literals;

namespace {

void installDisplayFilter()
{
    if (auto installed = installSyscallFilter(ThreadKind::Display); !installed) {
        std::fprintf(stderr, "display filter: %s\n", installed.error().message().c_str());
        std::abort();
    }
}

// Everything a peer sends until it closes the connection (or `timeout` passes).
std::string readUntilClosed(int fd, std::chrono::milliseconds timeout)
{
    std::string received;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd wait {fd, POLLIN, 0};
        if (::poll(&wait, 1, 100) <= 0)
            continue;
        char buffer[512];
        ssize_t length = ::read(fd, buffer, sizeof buffer);
        if (length <= 0)
            return received;
        received.append(buffer, size_t(length));
    }
    return received + "<still open>";
}

} // namespace

class DisplayAccessTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;
    FramebufferGeometry m_geometry = FramebufferGeometry::make(320, 200).value();

    std::string socketPath(const char* name) const
    {
        return m_directory.filePath(name).toStdString();
    }

    DisplayServerOptions optionsAt(const char* name, uint32_t maxFramesPerSecond = 30,
        std::optional<uint16_t> tcpPort = {}, const std::string& password = {}) const
    {
        DisplayServerOptions options = optionsAtPath(socketPath(name));
        options.maxFramesPerSecond = maxFramesPerSecond;
        options.tcpPort = tcpPort;
        options.tcpPassword = password;
        return options;
    }

    static DisplayServerOptions optionsAtPath(const std::string& path)
    {
        DisplayServerOptions options;
        options.socketPath = path;
        return options;
    }

private slots:
    void tcpNeedsThePassword()
    {
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        source.fill(10, 10, 20, 20, 0x00a0b0c0);
        for (uint32_t x = 0; x < m_geometry.width; ++x)
            source.setPixel(x, 100, x * 0x00010203u & 0x00ffffff); // something for ZRLE to pack
        auto created =
            DisplayServer::create(source, sink, optionsAt("tcp.sock", 30, uint16_t(0), "s3cret"));
        QVERIFY2(created, created ? "" : created.error().message().c_str());
        auto& server = *created;
        QVERIFY(server->start());
        QVERIFY(server->tcpPort() != 0);

        {
            Viewer wrong(connectLoopback(server->tcpPort()), "raw", "guessed");
            QVERIFY(!wrong.ok());
            Viewer none(connectLoopback(server->tcpPort()), "raw", "");
            QVERIFY(!none.ok());
        }
        QTRY_COMPARE_WITH_TIMEOUT(server->statistics().clients, 0u, 5000);
        // ZRLE, served to TCP viewers: every pixel arrives right.
        Viewer right(connectLoopback(server->tcpPort()), "zrle", "s3cret");
        QVERIFY2(right.waitForUpdates(1, 5s), right.error().c_str());
        for (uint32_t y = 0; y < m_geometry.height; ++y)
            for (uint32_t x = 0; x < m_geometry.width; ++x)
                QCOMPARE(right.pixel(int(x), int(y)), source.pixel(x, y));
        // The Unix socket, in the session's private folder, asks for no password.
        Viewer local(connectUnix(server->socketPath()));
        QVERIFY2(local.waitForUpdates(1, 5s), local.error().c_str());
        QCOMPARE(server->statistics().clients, 2u);
    }

    void tcpWithoutPasswordIsRejected()
    {
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        auto created =
            DisplayServer::create(source, sink, optionsAt("nopass.sock", 30, uint16_t(0)));
        QVERIFY(!created);
        QVERIFY(created.error().message().find("password") != std::string::npos);
    }

    void nothingListensOnTcpUnlessAsked()
    {
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        auto created = DisplayServer::create(source, sink, optionsAt("unix.sock"));
        QVERIFY(created);
        auto& server = *created;
        QVERIFY(server->start());
        Viewer viewer(connectUnix(server->socketPath()));
        QVERIFY2(viewer.waitForUpdates(1, 5s), viewer.error().c_str());
        QCOMPARE(server->tcpPort(), uint16_t(0));
        std::vector<std::string> listening = listeningTcpInodes();
        for (const std::string& inode : ownSocketInodes())
            QVERIFY2(std::find(listening.begin(), listening.end(), inode) == listening.end(),
                ("a TCP socket of this process listens: inode " + inode).c_str());
    }

    void aStaleSocketIsReplacedAndAFileIsNot()
    {
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        std::string path = socketPath("stale.sock");
        {
            auto first = DisplayServer::create(source, sink, optionsAtPath(path));
            QVERIFY(first);
        } // leaves the socket file behind, as a crashed airlock-vmm would
        auto second = DisplayServer::create(source, sink, optionsAtPath(path));
        QVERIFY2(second, second ? "" : second.error().message().c_str());
        QVERIFY((*second)->start());
        Viewer viewer(connectUnix(path));
        QVERIFY2(viewer.waitForUpdates(1, 5s), viewer.error().c_str());

        std::string file = socketPath("not-a-socket");
        std::FILE* handle = std::fopen(file.c_str(), "w");
        QVERIFY(handle);
        std::fclose(handle);
        auto refused = DisplayServer::create(source, sink, optionsAtPath(file));
        QVERIFY(!refused);
        QVERIFY(QFile::exists(QString::fromStdString(file)));
    }

    void aWebSocketRequestGetsNoService()
    {
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        auto created = DisplayServer::create(source, sink, optionsAt("ws.sock"));
        QVERIFY(created);
        auto& server = *created;
        QVERIFY(server->start());
        int fd = connectUnix(server->socketPath());
        QVERIFY(fd >= 0);
        const char request[] =
            "GET /websockify HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n";
        QCOMPARE(::write(fd, request, sizeof request - 1), ssize_t(sizeof request - 1));
        std::string answer = readUntilClosed(fd, 5s);
        ::close(fd);
        QVERIFY2(answer.find("HTTP") == std::string::npos, answer.c_str());
        QVERIFY2(answer.rfind("RFB 003.008\n", 0) == 0, answer.c_str()); // RFB, then closed
        QVERIFY2(answer.find("<still open>") == std::string::npos, answer.c_str());
        QTRY_COMPARE_WITH_TIMEOUT(server->statistics().clients, 0u, 5000);
    }

    void silentConnectionsDoNotHoldTheSlots()
    {
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        auto created = DisplayServer::create(source, sink, optionsAt("silent.sock"));
        QVERIFY(created);
        auto& server = *created;
        QVERIFY(server->start());
        // Four connections that never answer the server's greeting take every slot...
        std::vector<int> silent;
        for (uint32_t i = 0; i < DisplayServer::kMaxClients; ++i)
            silent.push_back(connectUnix(server->socketPath()));
        QTRY_COMPARE_WITH_TIMEOUT(server->statistics().clients, DisplayServer::kMaxClients, 5000);
        // ...until the handshake deadline closes them; then a viewer is served.
        QTRY_COMPARE_WITH_TIMEOUT(
            server->statistics().clients, 0u, DisplayServer::kHandshakeMilliseconds + 3000);
        for (int fd : silent)
            QCOMPARE(readUntilClosed(fd, 1s), std::string("RFB 003.008\n"));
        for (int fd : silent)
            ::close(fd);
        Viewer viewer(connectUnix(server->socketPath()));
        QVERIFY2(viewer.waitForUpdates(1, 5s), viewer.error().c_str());
    }

    void servesUnderTheDisplayFilter()
    {
        // The display thread installs ThreadKind::Display's filter first, as in airlock-vmm: a
        // syscall missing from its rows kills this test with SIGSYS.
        DisplayServer::setThreadStartHook(&installDisplayFilter);
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        auto created =
            DisplayServer::create(source, sink, optionsAt("filter.sock", 30, uint16_t(0), "pw"));
        QVERIFY(created);
        auto& server = *created;
        QVERIFY(server->start());
        {
            Viewer local(connectUnix(server->socketPath()), "zrle raw");
            QVERIFY2(local.waitForUpdates(1, 5s), local.error().c_str());
            Viewer remote(connectLoopback(server->tcpPort()), "zrle", "pw");
            QVERIFY2(remote.waitForUpdates(1, 5s), remote.error().c_str());
            Viewer wrong(connectLoopback(server->tcpPort()), "raw", "nope");
            QVERIFY(!wrong.ok());
            source.fill(100, 100, 50, 50, 0x00ff0000);
            QVERIFY(local.pumpUntil(5s, [&] { return local.pixel(120, 120) == 0x00ff0000; }));
            QVERIFY(remote.pumpUntil(5s, [&] { return remote.pixel(120, 120) == 0x00ff0000; }));
            char text[] = "clipboard";
            QVERIFY(SendClientCutText(local.client(), text, 9));
            QVERIFY(local.sendKey('z', true));
            QVERIFY(local.sendPointer(3, 4, 1));
            QTRY_COMPARE_WITH_TIMEOUT(sink.keys().size(), size_t(1), 5000);
            QTRY_COMPARE_WITH_TIMEOUT(sink.pointers().size(), size_t(1), 5000);
            QCOMPARE(sink.keys()[0].code, uint16_t(KEY_Z));
            std::vector<std::unique_ptr<Viewer>> more;
            for (int i = 0; i < 2; ++i) {
                more.push_back(std::make_unique<Viewer>(connectUnix(server->socketPath())));
                QVERIFY2(more.back()->waitForUpdates(1, 5s), more.back()->error().c_str());
            }
            QCOMPARE(server->statistics().clients, 4u);
            Viewer fifth(connectUnix(server->socketPath()));
            QVERIFY(!fifth.ok());
        } // the viewers leave
        QTRY_COMPARE_WITH_TIMEOUT(server->statistics().clients, 0u, 5000);
        server->stop();
        DisplayServer::setThreadStartHook(nullptr);
    }
};

QTEST_GUILESS_MAIN(DisplayAccessTest)
#include "tst_display_access.moc"
