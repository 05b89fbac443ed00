// The VNC server as a viewer meets it: the first frame, updates of what changed and only of
// that, an idle screen that costs nothing, keys and pointer, encodings, limits and stop().
// A libvncclient viewer in the test talks to the server over its Unix socket; no KVM needed.

#include "display/DisplayServer.h"
#include "tst_display_support.h"

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include <linux/input-event-codes.h>

#include <QTemporaryDir>
#include <QTest>

using namespace vmm;
using namespace displaytest;
using namespace std::chrono_literals;

namespace {

// A picture where every pixel differs from its neighbours and every channel matters.
uint32_t patternPixel(uint32_t x, uint32_t y)
{
    return ((x * 7 + y) & 0xff) << 16 | ((y * 3) & 0xff) << 8 | ((x ^ y) & 0xff);
}

void drawPattern(PlainFrameSource& source)
{
    const FramebufferGeometry& geometry = source.geometry();
    for (uint32_t y = 0; y < geometry.height; ++y)
        for (uint32_t x = 0; x < geometry.width; ++x)
            source.setPixel(x, y, patternPixel(x, y));
}

// Where the viewer's frame first differs from the source (x < 0 when nowhere).
struct Difference {
    int x = -1;
    int y = -1;
    uint32_t seen = 0;
    uint32_t expected = 0;
    explicit operator bool() const { return x >= 0; }
};

Difference firstDifference(const Viewer& viewer, const PlainFrameSource& source)
{
    for (int y = 0; y < viewer.height(); ++y) {
        for (int x = 0; x < viewer.width(); ++x) {
            uint32_t expected = source.pixel(uint32_t(x), uint32_t(y)) & 0x00ffffff;
            if (viewer.pixel(x, y) != expected)
                return {x, y, viewer.pixel(x, y), expected};
        }
    }
    return {};
}

QByteArray describe(const Difference& difference)
{
    if (!difference)
        return "frames match";
    return QString::asprintf("first difference at %d,%d: 0x%08x instead of 0x%08x", difference.x,
        difference.y, difference.seen, difference.expected)
        .toUtf8();
}

} // namespace

class DisplayServerTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;
    FramebufferGeometry m_geometry = FramebufferGeometry::make(640, 400).value();

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

    std::unique_ptr<DisplayServer> startServer(
        PlainFrameSource& source, RecordingInputSink& sink, DisplayServerOptions options)
    {
        auto server = DisplayServer::create(source, sink, std::move(options));
        if (!server) {
            qWarning("%s", server.error().message().c_str());
            return nullptr;
        }
        if (!(*server)->start())
            return nullptr;
        return std::move(*server);
    }

private slots:
    void theFirstFrameIsTheSource_data()
    {
        QTest::addColumn<QString>("encodings");
        QTest::newRow("raw") << "raw";
        QTest::newRow("zrle asked for on the Unix socket: served as raw") << "zrle raw";
        QTest::newRow("only tight and hextile: served as raw") << "tight hextile";
    }

    void theFirstFrameIsTheSource()
    {
        QFETCH(QString, encodings);
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        drawPattern(source);
        auto server = startServer(source, sink, optionsAt("first.sock"));
        QVERIFY(server);
        Viewer viewer(connectUnix(server->socketPath()), encodings.toStdString());
        QVERIFY2(viewer.ok(), viewer.error().c_str());
        QCOMPARE(viewer.width(), 640);
        QCOMPARE(viewer.height(), 400);
        QVERIFY2(viewer.waitForUpdates(1, 5s), viewer.error().c_str());
        auto difference = firstDifference(viewer, source);
        QVERIFY2(!difference, describe(difference));
        QVERIFY(server->statistics().framesSent >= 1);
        QCOMPARE(server->statistics().clients, 1u);
    }

    void onlyWhatChangedIsSent()
    {
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        drawPattern(source);
        auto server = startServer(source, sink, optionsAt("changes.sock", 60));
        QVERIFY(server);
        Viewer viewer(connectUnix(server->socketPath()));
        QVERIFY2(viewer.waitForUpdates(1, 5s), viewer.error().c_str());

        // A rectangle changes: the next update covers it and the frames match again.
        source.fill(101, 53, 37, 21, 0x00123456);
        QVERIFY2(viewer.pumpUntil(5s, [&] { return !firstDifference(viewer, source); }),
            describe(firstDifference(viewer, source)));
        QCOMPARE(viewer.pixel(101, 53), 0x00123456u);
        QCOMPARE(viewer.pixel(137, 73), 0x00123456u);

        // Pages rewritten with the very same bytes: no update at all.
        viewer.pumpUntil(200ms);
        uint64_t updates = viewer.allUpdates();
        DisplayServer::Statistics before = server->statistics();
        for (uint64_t page = 0; page < m_geometry.regionBytes() / 4096; page += 3)
            source.touchPage(page);
        viewer.pumpUntil(500ms);
        QCOMPARE(viewer.allUpdates(), updates);
        QCOMPARE(server->statistics().framesSent, before.framesSent);

        // One pixel at the far corner: a one-rectangle update.
        source.setPixel(639, 399, 0x00ff00ff);
        QVERIFY(viewer.waitForUpdates(1, 5s));
        QCOMPARE(viewer.pixel(639, 399), 0x00ff00ffu);
        QCOMPARE(server->statistics().rectanglesSent, before.rectanglesSent + 1);
    }

    void anIdleScreenCostsNoCpu()
    {
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        drawPattern(source);
        auto server = startServer(source, sink, optionsAt("idle.sock"));
        QVERIFY(server);
        {
            Viewer viewer(connectUnix(server->socketPath()));
            QVERIFY2(viewer.waitForUpdates(1, 5s), viewer.error().c_str());
            viewer.pumpUntil(200ms);
            uint64_t updates = viewer.allUpdates();
            double before = threadCpuMilliseconds("airlock-display");
            QVERIFY(before >= 0);
            viewer.pumpUntil(1000ms);
            double used = threadCpuMilliseconds("airlock-display") - before;
            qInfo("display thread CPU over 1 s of an unchanging screen, one viewer: %.1f ms", used);
            QCOMPARE(viewer.allUpdates(), updates); // no FramebufferUpdate for a still screen
            QVERIFY2(used <= 50, qPrintable(QString("%1 ms").arg(used)));
        }
        // No viewer: the source is not even asked for its dirty pages.
        QTRY_COMPARE_WITH_TIMEOUT(server->statistics().clients, 0u, 5000);
        QTest::qWait(100);
        uint64_t collections = source.collections();
        double before = threadCpuMilliseconds("airlock-display");
        QTest::qWait(500);
        QCOMPARE(source.collections(), collections);
        qInfo("display thread CPU over 0.5 s without a viewer: %.1f ms",
            threadCpuMilliseconds("airlock-display") - before);
    }

    void keysAndPointerReachTheSink()
    {
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        auto server = startServer(source, sink, optionsAt("input.sock"));
        QVERIFY(server);
        Viewer viewer(connectUnix(server->socketPath()));
        QVERIFY2(viewer.waitForUpdates(1, 5s), viewer.error().c_str());
        const uint32_t keysyms[] = {'a', 0xffe1 /* Shift_L */, 'A', 0xff0d /* Return */,
            0x01234567 /* unknown */, 0xffbe /* F1 */, '!'};
        for (uint32_t keysym : keysyms) {
            QVERIFY(viewer.sendKey(keysym, true));
            QVERIFY(viewer.sendKey(keysym, false));
        }
        QVERIFY(viewer.sendPointer(5000, 5000, InputSink::kButtonLeft));
        QVERIFY(viewer.sendPointer(17, 23, 0));
        QVERIFY(viewer.pumpUntil(5s, [&] { return sink.pointers().size() >= 2; }));
        QTRY_COMPARE_WITH_TIMEOUT(sink.keys().size(), size_t(12), 5000);
        std::vector<RecordingInputSink::Key> keys = sink.keys();
        const uint16_t expected[] = {KEY_A, KEY_LEFTSHIFT, KEY_A, KEY_ENTER, KEY_F1, KEY_1};
        for (size_t i = 0; i < std::size(expected); ++i) {
            QCOMPARE(keys[2 * i].code, expected[i]);
            QCOMPARE(keys[2 * i].down, true);
            QCOMPARE(keys[2 * i + 1].code, expected[i]);
            QCOMPARE(keys[2 * i + 1].down, false);
        }
        QCOMPARE(server->unknownKeysyms(), 2u); // the unknown keysym, down and up
        std::vector<RecordingInputSink::Pointer> pointers = sink.pointers();
        QCOMPARE(pointers[0].x, 639u); // clamped to the screen
        QCOMPARE(pointers[0].y, 399u);
        QCOMPARE(pointers[0].buttons, uint32_t(InputSink::kButtonLeft));
        QCOMPARE(pointers[1].x, 17u);
        QCOMPARE(pointers[1].y, 23u);
        QCOMPARE(pointers[1].buttons, 0u);
    }

    void cutTextGoesNowhere()
    {
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        auto server = startServer(source, sink, optionsAt("cut.sock"));
        QVERIFY(server);
        Viewer viewer(connectUnix(server->socketPath()));
        QVERIFY2(viewer.waitForUpdates(1, 5s), viewer.error().c_str());
        char text[] = "secret from the host clipboard";
        QVERIFY(SendClientCutText(viewer.client(), text, int(sizeof text - 1)));
        QVERIFY(viewer.sendKey('q', true));
        QTRY_COMPARE_WITH_TIMEOUT(sink.keys().size(), size_t(1), 5000);
        viewer.pumpUntil(300ms);
        QVERIFY2(viewer.ok(), viewer.error().c_str()); // still served
        QCOMPARE(sink.keys()[0].code, uint16_t(KEY_Q)); // the only event that arrived
        QVERIFY(sink.pointers().empty());
        QCOMPARE(viewer.cutTexts(), 0u); // and the server sends none
    }

    void aFifthViewerIsRefused()
    {
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        auto server = startServer(source, sink, optionsAt("five.sock"));
        QVERIFY(server);
        std::vector<std::unique_ptr<Viewer>> viewers;
        for (int i = 0; i < 4; ++i) {
            viewers.push_back(std::make_unique<Viewer>(connectUnix(server->socketPath())));
            QVERIFY2(viewers.back()->waitForUpdates(1, 5s), viewers.back()->error().c_str());
        }
        QCOMPARE(server->statistics().clients, 4u);
        Viewer fifth(connectUnix(server->socketPath()));
        QVERIFY(!fifth.ok());
        QCOMPARE(server->statistics().clients, 4u);
        // The four still get updates.
        source.fill(0, 0, 10, 10, 0x00abcdef);
        for (auto& viewer : viewers)
            QVERIFY(viewer->pumpUntil(5s, [&] { return viewer->pixel(5, 5) == 0x00abcdef; }));
        // One leaves: a new one is welcome.
        viewers.pop_back();
        QTRY_COMPARE_WITH_TIMEOUT(server->statistics().clients, 3u, 5000);
        Viewer again(connectUnix(server->socketPath()));
        QVERIFY2(again.waitForUpdates(1, 5s), again.error().c_str());
    }

    void stopWithViewersIsPrompt()
    {
        PlainFrameSource source(m_geometry);
        RecordingInputSink sink;
        auto server = startServer(source, sink, optionsAt("stop.sock"));
        QVERIFY(server);
        // One after the other: this test's viewers share one thread, and a viewer not pumped
        // while the server writes it a frame would stall the server (see kClientWaitMilliseconds).
        Viewer first(connectUnix(server->socketPath()));
        QVERIFY(first.waitForUpdates(1, 5s));
        Viewer second(connectUnix(server->socketPath()));
        QVERIFY(second.waitForUpdates(1, 5s));
        auto started = std::chrono::steady_clock::now();
        server->stop();
        auto took = std::chrono::steady_clock::now() - started;
        qInfo("stop() with two viewers took %.1f ms",
            std::chrono::duration<double, std::milli>(took).count());
        QVERIFY(took < 500ms);
        server->stop(); // idempotent
        QVERIFY(!first.pumpUntil(2s)); // the connection ended
        QVERIFY(!first.ok());
        QCOMPARE(server->statistics().clients, 0u);
    }

    void aViewerThatStopsReadingIsDropped()
    {
        // Full-screen changes at every tick, 1280x800: a viewer that reads nothing fills its
        // socket within a frame or two and is dropped after DisplayServer::kClientWaitMilliseconds.
        FramebufferGeometry geometry = FramebufferGeometry::make(1280, 800).value();
        PlainFrameSource source(geometry);
        RecordingInputSink sink;
        uint32_t frame = 0;
        source.setBeforeCollect([&] {
            ++frame;
            std::memset(source.rawPixels(), int(frame & 0xff), geometry.pixelBytes());
            source.markAllLocked();
        });
        auto server = startServer(source, sink, optionsAt("stuck.sock"));
        QVERIFY(server);
        Viewer stuck(connectUnix(server->socketPath()));
        QVERIFY2(stuck.waitForUpdates(1, 5s), stuck.error().c_str());
        QCOMPARE(server->statistics().clients, 1u);
        auto started = std::chrono::steady_clock::now();
        QTRY_COMPARE_WITH_TIMEOUT(server->statistics().clients, 0u, 10000);
        qInfo("a viewer that stopped reading was dropped after %.1f s",
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        // The server goes on serving others.
        Viewer fresh(connectUnix(server->socketPath()));
        QVERIFY2(fresh.waitForUpdates(1, 5s), fresh.error().c_str());
    }

    void framesPerSecondRawAndZrle_data()
    {
        QTest::addColumn<QString>("encodings");
        QTest::addColumn<uint32_t>("cap");
        QTest::newRow("raw") << "raw" << 30u;
        QTest::newRow("zrle") << "zrle" << 30u;
        QTest::newRow("raw, no cap") << "raw" << 240u;
        QTest::newRow("zrle, no cap") << "zrle" << 240u;
    }

    void framesPerSecondRawAndZrle()
    {
        // Not a timed test: prints what a viewer gets when the whole 1280x800 screen changes at
        // every tick, to decide whether ZRLE helps (the viewer decodes in this same process, and
        // the "guest" redraws on the display thread: its CPU figure includes the drawing).
        QFETCH(QString, encodings);
        QFETCH(uint32_t, cap);
        FramebufferGeometry geometry = FramebufferGeometry::make(1280, 800).value();
        PlainFrameSource source(geometry);
        RecordingInputSink sink;
        uint32_t frame = 0;
        source.setBeforeCollect([&] {
            ++frame;
            uint8_t* pixels = source.rawPixels();
            for (uint32_t y = 0; y < geometry.height; ++y) {
                for (uint32_t x = 0; x < geometry.width; ++x) {
                    uint32_t value = ((x + frame) & 0xff) << 16 | ((y + 2 * frame) & 0xff) << 8 |
                        (((x + y) / 2 + 3 * frame) & 0xff);
                    std::memcpy(pixels + (uint64_t {y} * geometry.width + x) * 4, &value, 4);
                }
            }
            source.markAllLocked();
        });
        // Over loopback TCP: the server serves ZRLE to TCP viewers only.
        auto server = startServer(source, sink, optionsAt("bench.sock", cap, uint16_t(0), "pw"));
        QVERIFY(server);
        Viewer viewer(connectLoopback(server->tcpPort()), encodings.toStdString(), "pw");
        QVERIFY2(viewer.waitForUpdates(1, 5s), viewer.error().c_str());
        uint64_t updates = viewer.updates();
        double cpuBefore = threadCpuMilliseconds("airlock-display");
        auto started = std::chrono::steady_clock::now();
        viewer.pumpUntil(2s);
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        double fps = double(viewer.updates() - updates) / seconds;
        double cpu = (threadCpuMilliseconds("airlock-display") - cpuBefore) / 10.0 / seconds;
        std::printf(
            "BENCH display_unit_fps_%s_cap%u=%.1f display_unit_thread_cpu_pct_%s_cap%u=%.0f "
            "(1280x800, the full screen changes at each tick)\n",
            qPrintable(encodings), cap, fps, qPrintable(encodings), cap, cpu);
        QVERIFY2(viewer.ok(), viewer.error().c_str());
        QVERIFY(fps > 1);
    }
};

QTEST_GUILESS_MAIN(DisplayServerTest)
#include "tst_display_server.moc"
