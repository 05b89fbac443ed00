// Framing (vmm/protocol): what a peer sends arrives whole however the stream splits it, and
// hostile bytes (bad magic, huge lengths, bad JSON, deep nesting, truncation) end in a clear
// error, never in a crash or an allocation of the announced size.

#include "protocol/FrameDecoder.h"
#include "protocol/FrameEncoder.h"
#include "protocol/FrameStream.h"
#include "protocol/FuzzFrameDecoder.h"

#include <random>
#include <string>
#include <thread>
#include <unistd.h>

#include <sys/socket.h>

#include <QTest>

using namespace vmm;

namespace {

std::vector<uint8_t> bytesOf(std::string_view text)
{
    return std::vector<uint8_t>(text.begin(), text.end());
}

// A raw frame header: magic, kind, JSON length, payload length (little-endian).
std::vector<uint8_t> rawHeader(uint16_t kind, uint32_t jsonLength, uint32_t payloadLength,
    uint8_t magic0 = 'A', uint8_t magic1 = 'L')
{
    std::vector<uint8_t> bytes {magic0, magic1};
    for (int i = 0; i < 2; ++i)
        bytes.push_back(static_cast<uint8_t>(kind >> (8 * i)));
    for (int i = 0; i < 4; ++i)
        bytes.push_back(static_cast<uint8_t>(jsonLength >> (8 * i)));
    for (int i = 0; i < 4; ++i)
        bytes.push_back(static_cast<uint8_t>(payloadLength >> (8 * i)));
    return bytes;
}

std::vector<uint8_t> rawFrame(uint16_t kind, std::string_view json, std::string_view payload = {})
{
    std::vector<uint8_t> bytes =
        rawHeader(kind, static_cast<uint32_t>(json.size()), static_cast<uint32_t>(payload.size()));
    bytes.insert(bytes.end(), json.begin(), json.end());
    bytes.insert(bytes.end(), payload.begin(), payload.end());
    return bytes;
}

Frame sampleFrame(size_t payloadSize)
{
    std::vector<uint8_t> payload(payloadSize);
    for (size_t i = 0; i < payloadSize; ++i)
        payload[i] = static_cast<uint8_t>(i * 7 + 3);
    return makeFrame(MessageKind::StdoutData, {{"note", "größe ✓"}, {"n", 42}}, std::move(payload));
}

std::string decodeError(const std::vector<uint8_t>& bytes)
{
    FrameDecoder decoder;
    auto frames = decoder.feed(bytes);
    if (frames)
        return "no error (" + std::to_string(frames->size()) + " frames)";
    return frames.error().message();
}

} // namespace

class ProtocolFramesTest : public QObject {
    Q_OBJECT

private slots:
    void aFrameRoundTripsWithBinaryPayload()
    {
        Frame frame = sampleFrame(1000);
        frame.payload[10] = 0; // raw bytes, no base64: NUL and high bytes as they are
        frame.payload[11] = 0xff;
        auto bytes = FrameEncoder::encode(frame);
        QVERIFY(bytes);
        FrameDecoder decoder;
        auto frames = decoder.feed(*bytes);
        QVERIFY(frames);
        QCOMPARE(frames->size(), size_t {1});
        QCOMPARE(frames->front().kind, frame.kind);
        QVERIFY(frames->front().header == frame.header);
        QVERIFY(frames->front().payload == frame.payload);
        QVERIFY(!decoder.midFrame());
    }

    void everySplitOfAStreamGivesTheSameFrames()
    {
        std::vector<uint8_t> stream;
        std::vector<Frame> sent {sampleFrame(0), sampleFrame(5), sampleFrame(300),
            makeFrame(MessageKind::StdinEnd, nlohmann::json::object())};
        for (const Frame& frame : sent) {
            auto bytes = FrameEncoder::encode(frame);
            QVERIFY(bytes);
            stream.insert(stream.end(), bytes->begin(), bytes->end());
        }
        // Two cut points anywhere, including inside the fixed header and the JSON.
        for (size_t first = 0; first <= stream.size(); first += 3) {
            for (size_t second = first; second <= stream.size(); second += 11) {
                FrameDecoder decoder;
                std::vector<Frame> received;
                for (auto [from, to] : {std::pair {size_t {0}, first}, std::pair {first, second},
                         std::pair {second, stream.size()}}) {
                    auto frames = decoder.feed(std::span(stream).subspan(from, to - from));
                    QVERIFY(frames);
                    received.insert(received.end(), frames->begin(), frames->end());
                }
                QCOMPARE(received.size(), sent.size());
                for (size_t i = 0; i < sent.size(); ++i) {
                    QVERIFY(received[i].header == sent[i].header);
                    QVERIFY(received[i].payload == sent[i].payload);
                }
            }
        }
    }

    void byteByByteFeedingWorks()
    {
        auto bytes = FrameEncoder::encode(sampleFrame(100));
        QVERIFY(bytes);
        FrameDecoder decoder;
        size_t completed = 0;
        for (uint8_t byte : *bytes) {
            auto frames = decoder.feed(std::span(&byte, 1));
            QVERIFY(frames);
            completed += frames->size();
        }
        QCOMPARE(completed, size_t {1});
    }

    void truncationIsReportedAtTheEnd()
    {
        auto bytes = FrameEncoder::encode(sampleFrame(100));
        QVERIFY(bytes);
        for (size_t cut : {size_t {1}, size_t {11}, size_t {12}, bytes->size() - 1}) {
            FrameDecoder decoder;
            auto frames = decoder.feed(std::span(*bytes).first(cut));
            QVERIFY(frames);
            QVERIFY(frames->empty());
            auto finished = decoder.finish();
            QVERIFY(!finished);
            QVERIFY2(finished.error().message().find("inside a frame") != std::string::npos,
                finished.error().message().c_str());
        }
    }

    void hugeLengthsAreRefusedFromTheHeaderAlone()
    {
        // Only the 12 header bytes arrive: the error comes before any body is buffered.
        QVERIFY(
            decodeError(rawHeader(0x104, 0xffffffff, 0)).find("JSON header") != std::string::npos);
        QVERIFY(decodeError(rawHeader(0x104, 2, 0xffffffff)).find("payload") != std::string::npos);
        QVERIFY(decodeError(rawHeader(0x104, 64 * 1024 + 1, 0)).find("cap") != std::string::npos);
        QVERIFY(decodeError(rawHeader(0x104, 2, 1024 * 1024 + 1)).find("cap") != std::string::npos);
        // Exactly at the caps is accepted (the frame is just not complete yet).
        QCOMPARE(decodeError(rawHeader(0x104, 64 * 1024, 1024 * 1024)),
            std::string("no error (0 frames)"));
    }

    void badMagicAndKindZeroAreRefused()
    {
        QVERIFY(decodeError(rawHeader(0x104, 2, 0, 'G', 'E')).find("magic") != std::string::npos);
        QVERIFY(decodeError(rawFrame(0, "{}")).find("kind 0") != std::string::npos);
        // An HTTP request or a shell's prompt is not a frame.
        QVERIFY(decodeError(bytesOf("GET / HTTP/1.1\r\n\r\n")).find("magic") != std::string::npos);
    }

    void badJsonIsRefused_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("hello") << "does not parse";
        QTest::newRow("truncated") << QByteArray("{\"a\":") << "does not parse";
        QTest::newRow("array") << QByteArray("[1,2]") << "not an object";
        QTest::newRow("string") << QByteArray("\"x\"") << "not an object";
        QTest::newRow("number") << QByteArray("7") << "not an object";
        QTest::newRow("two values") << QByteArray("{} {}") << "does not parse";
        QTest::newRow("bad utf-8") << QByteArray("{\"a\":\"\xff\xfe\"}") << "does not parse";
        QTest::newRow("deep") << QByteArray(64, '[') << "nested too deeply";
        QTest::newRow("deep object") << QByteArray("{\"a\":").repeated(40) << "nested too deeply";
    }

    void badJsonIsRefused()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, expected);
        std::string error = decodeError(rawFrame(0x100, json.toStdString()));
        QVERIFY2(error.find(expected.toStdString()) != std::string::npos, error.c_str());
    }

    void bracketsInsideStringsDoNotCountAsNesting()
    {
        std::string json = "{\"a\":\"" + std::string(100, '[') + "\\\"{{{\"}";
        QCOMPARE(decodeError(rawFrame(0x100, json)), std::string("no error (1 frames)"));
    }

    void emptyJsonMeansAnEmptyObject()
    {
        FrameDecoder decoder;
        auto frames = decoder.feed(rawFrame(0x103, ""));
        QVERIFY(frames);
        QCOMPARE(frames->size(), size_t {1});
        QVERIFY(frames->front().header.is_object());
        QVERIFY(frames->front().header.empty());
    }

    void aBrokenDecoderStaysBroken()
    {
        FrameDecoder decoder;
        QVERIFY(!decoder.feed(rawHeader(1, 2, 0, 'X', 'X')));
        auto good = FrameEncoder::encode(sampleFrame(1));
        QVERIFY(good);
        QVERIFY(!decoder.feed(*good)); // it lost its place in the stream
        QVERIFY(!decoder.finish());
    }

    void theEncoderRefusesWhatTheDecoderWouldRefuse()
    {
        Frame tooBig = sampleFrame(1024 * 1024 + 1);
        QVERIFY(!FrameEncoder::encode(tooBig));
        Frame notObject = makeFrame(MessageKind::Hello, nlohmann::json::array());
        QVERIFY(!FrameEncoder::encode(notObject));
        Frame badText = makeFrame(MessageKind::Hello, {{"name", std::string("\xff\xfe")}});
        auto encoded = FrameEncoder::encode(badText); // nlohmann throws inside; not out of it
        QVERIFY(!encoded);
        Frame longJson = makeFrame(MessageKind::Hello, {{"x", std::string(70 * 1024, 'a')}});
        QVERIFY(!FrameEncoder::encode(longJson));
        QVERIFY(FrameEncoder::encode(sampleFrame(1024 * 1024)));
    }

    void randomGarbageNeverCrashesTheDecoder()
    {
        std::mt19937 random(1234);
        for (int round = 0; round < 2000; ++round) {
            std::vector<uint8_t> bytes(random() % 200);
            for (auto& byte : bytes)
                byte = static_cast<uint8_t>(random());
            if (round % 2 == 0 && bytes.size() >= 12) { // a valid-looking start
                bytes[0] = 'A';
                bytes[1] = 'L';
                bytes[6] = bytes[7] = bytes[10] = bytes[11] = 0;
            }
            QCOMPARE(fuzzFrameDecoder(bytes.data(), bytes.size()), 0);
        }
    }

    void aStreamCarriesFramesBothWaysOverASocket()
    {
        int fds[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        // Far more than a socket buffer, so that the sender must wait for the reader.
        constexpr int kFrames = 64;
        std::thread writer([&] {
            FrameStream stream(fds[0]);
            for (int i = 0; i < kFrames; ++i)
                (void)stream.send(sampleFrame(256 * 1024));
            ::shutdown(fds[0], SHUT_WR);
        });
        FrameStream stream(fds[1]);
        int received = 0;
        for (;;) {
            auto frame = stream.receive(std::chrono::seconds(10));
            QVERIFY2(frame, frame ? "" : frame.error().message().c_str());
            if (!*frame)
                break;
            QCOMPARE((*frame)->payload.size(), size_t {256 * 1024});
            ++received;
        }
        writer.join();
        QCOMPARE(received, kFrames);
        ::close(fds[0]);
        ::close(fds[1]);
    }

    void aStreamTimesOutOnASilentPeer()
    {
        int fds[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        FrameStream stream(fds[1]);
        auto frame = stream.receive(std::chrono::milliseconds(50));
        QVERIFY(!frame);
        QCOMPARE(frame.error().errnoValue(), ETIMEDOUT);
        ::close(fds[0]);
        ::close(fds[1]);
    }
};

QTEST_GUILESS_MAIN(ProtocolFramesTest)
#include "tst_protocol_frames.moc"
