// 100 MiB through one virtio-vsock stream in each direction (issue 3: "100 MiB through one stream
// with matching hash"), with the credit rules of virtio 1.1 §5.10.6.3 checked on every packet:
// the device never sends the guest more than the guest's credit, the guest's slow reading stalls
// the host socket instead of growing a buffer, and memory stays bounded while 100 MiB pass.

#include "tst_virtio_vsock_guest.h"

#include <array>
#include <atomic>
#include <fstream>
#include <openssl/evp.h>
#include <string>
#include <thread>

#include <QTemporaryDir>
#include <QTest>

using namespace vmm;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kStreamBytes = 100ull << 20;
constexpr uint32_t kGuestPort = 1234;
constexpr uint32_t kGuestBuffer = 256 * 1024; // Linux's default buf_alloc

/// SHA-256 over a stream of chunks.
class Sha256 {
public:
    Sha256() { EVP_DigestInit_ex(m_context, EVP_sha256(), nullptr); }
    ~Sha256() { EVP_MD_CTX_free(m_context); }
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(std::span<const uint8_t> bytes)
    {
        EVP_DigestUpdate(m_context, bytes.data(), bytes.size());
    }
    QByteArray finish()
    {
        std::array<unsigned char, 32> digest {};
        unsigned int length = 0;
        EVP_DigestFinal_ex(m_context, digest.data(), &length);
        return QByteArray(reinterpret_cast<const char*>(digest.data()), int(length)).toHex();
    }

private:
    EVP_MD_CTX* m_context = EVP_MD_CTX_new();
};

/// Deterministic bytes that do not repeat with any short period (xorshift64).
class Pattern {
public:
    void fill(std::span<uint8_t> bytes)
    {
        for (uint8_t& byte : bytes) {
            m_state ^= m_state << 13;
            m_state ^= m_state >> 7;
            m_state ^= m_state << 17;
            byte = static_cast<uint8_t>(m_state >> 24);
        }
    }

private:
    uint64_t m_state = 0x9e3779b97f4a7c15ull;
};

/// The process's peak resident memory in KiB (VmHWM).
uint64_t peakResidentKiB()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stoull(line.substr(6));
    }
    return 0;
}

struct Fixture {
    QTemporaryDir directory;
    std::string path;
    std::unique_ptr<VsockRig> rig;
    std::unique_ptr<VsockGuest> guest;
    UniqueFd client;
    uint32_t hostPort = 0;

    Fixture()
    {
        path = directory.path().toStdString() + "/vsock";
        rig = VsockRig::create(path);
        if (!rig)
            qFatal("cannot create the vsock rig");
        guest = std::make_unique<VsockGuest>(*rig);
        if (!guest->start())
            qFatal("the guest driver did not bring the device up");
    }

    /// The CONNECT handshake; true when the client read its OK line.
    bool connect()
    {
        client = connectHostClient(path);
        std::string line = "CONNECT " + std::to_string(kGuestPort) + "\n";
        if (::send(client.get(), line.data(), line.size(), MSG_NOSIGNAL) != ssize_t(line.size()))
            return false;
        auto request = guest->receiveOp(vsock::kOpRequest);
        if (!request)
            return false;
        hostPort = request->header.srcPort;
        guest->send(guest->header(vsock::kOpResponse, kGuestPort, hostPort, kGuestBuffer));
        std::string ok;
        rig->pumpUntil([&] {
            ok += hostReadNow(client.get());
            return ok.find('\n') != std::string::npos;
        });
        return ok == "OK " + std::to_string(hostPort) + "\n";
    }
};

} // namespace

class VirtioVsockStreamTest : public QObject {
    Q_OBJECT

private slots:
    void hundredMebibytesHostToGuestWithinCredit()
    {
        Fixture fixture;
        QVERIFY(fixture.connect());
        VsockGuest& guest = *fixture.guest;

        auto started = std::chrono::steady_clock::now();
        QByteArray sentDigest;
        std::thread writer([&] {
            Sha256 hash;
            Pattern pattern;
            std::vector<uint8_t> chunk(256 * 1024);
            for (uint64_t sent = 0; sent < kStreamBytes; sent += chunk.size()) {
                pattern.fill(chunk);
                hash.update(chunk);
                size_t offset = 0;
                while (offset < chunk.size()) {
                    ssize_t count = ::send(fixture.client.get(), chunk.data() + offset,
                        chunk.size() - offset, MSG_NOSIGNAL);
                    if (count <= 0)
                        return;
                    offset += size_t(count);
                }
            }
            sentDigest = hash.finish();
            ::shutdown(fixture.client.get(), SHUT_WR);
        });

        // The guest's application reads only every third round, so the device meets a full
        // guest buffer over and over and must wait for credit.
        Sha256 hash;
        uint64_t received = 0;
        uint32_t forwarded = 0; // what the guest application has read
        uint32_t forwardedSent = 0; // fwd_cnt as last told to the device
        uint64_t maxOutstanding = 0;
        uint64_t creditStalls = 0;
        bool ended = false;
        auto deadline = std::chrono::steady_clock::now() + 120s;
        for (uint64_t round = 0; !ended && std::chrono::steady_clock::now() < deadline; ++round) {
            for (VsockGuestPacket& packet : guest.receive()) {
                QCOMPARE(packet.header.dstPort, kGuestPort);
                if (packet.header.op == vsock::kOpShutdown) {
                    ended = true;
                    continue;
                }
                if (packet.header.op != vsock::kOpRw)
                    continue;
                received += packet.payload.size();
                hash.update(packet.payload);
                uint64_t outstanding = uint32_t(uint32_t(received) - forwardedSent);
                maxOutstanding = std::max(maxOutstanding, outstanding);
                QVERIFY2(
                    outstanding <= kGuestBuffer, "the device sent more than the guest's credit");
            }
            if (round % 3 == 0) {
                forwarded = uint32_t(received);
                uint32_t seenFree = kGuestBuffer - (uint32_t(received) - forwardedSent);
                if (seenFree < 64 * 1024) { // Linux: update when free space runs low
                    ++creditStalls;
                    forwardedSent = forwarded;
                    guest.send(guest.header(vsock::kOpCreditUpdate, kGuestPort, fixture.hostPort,
                        kGuestBuffer, forwardedSent));
                }
            }
            if (guest.badLengths() != 0)
                break;
            (void)fixture.rig->loop.runOnce(0);
        }
        writer.join();
        QVERIFY(ended);
        QCOMPARE(received, kStreamBytes);
        QCOMPARE(hash.finish(), sentDigest);
        QCOMPARE(guest.badLengths(), 0);
        QCOMPARE(maxOutstanding, uint64_t {kGuestBuffer}); // the credit was used to the byte
        QVERIFY(creditStalls > 100);
        QCOMPARE(fixture.rig->device->stats().bytesToGuest, kStreamBytes);
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        qInfo("host to guest: 100 MiB in %.2f s (%.0f MiB/s), %llu credit updates, max outstanding "
              "%llu bytes",
            seconds, 100 / seconds, static_cast<unsigned long long>(creditStalls),
            static_cast<unsigned long long>(maxOutstanding));
    }

    void hundredMebibytesGuestToHostWithinCredit()
    {
        Fixture fixture;
        QVERIFY(fixture.connect());
        VsockGuest& guest = *fixture.guest;
        uint64_t peakBefore = peakResidentKiB();
        auto started = std::chrono::steady_clock::now();

        std::atomic<uint64_t> hostReceived {0};
        QByteArray receivedDigest;
        std::thread reader([&] {
            Sha256 hash;
            std::vector<uint8_t> buffer(64 * 1024);
            for (;;) {
                ssize_t count = ::recv(fixture.client.get(), buffer.data(), buffer.size(), 0);
                if (count <= 0)
                    break;
                hash.update(std::span(buffer.data(), size_t(count)));
                hostReceived += uint64_t(count);
                // A slow host: the device's buffer fills and its credit runs out now and then.
                if (hostReceived % (8 << 20) < uint64_t(count))
                    std::this_thread::sleep_for(20ms);
            }
            receivedDigest = hash.finish();
        });

        Sha256 hash;
        Pattern pattern;
        std::vector<uint8_t> chunk(vsock::kMaxPayload);
        uint32_t hostBufAlloc = VsockOptions {}.bufferBytes; // from the REQUEST
        uint32_t hostFwdCnt = 0;
        uint32_t sentCount = 0;
        uint64_t sent = 0;
        uint64_t waits = 0;
        bool wasReset = false;
        auto deadline = std::chrono::steady_clock::now() + 120s;
        while (sent < kStreamBytes && !wasReset && std::chrono::steady_clock::now() < deadline) {
            uint32_t credit = hostBufAlloc - (sentCount - hostFwdCnt);
            if (credit == 0) {
                ++waits;
                (void)fixture.rig->loop.runOnce(1);
            } else {
                uint32_t length =
                    uint32_t(std::min<uint64_t>({credit, chunk.size(), kStreamBytes - sent}));
                std::span<uint8_t> piece(chunk.data(), length);
                pattern.fill(piece);
                hash.update(piece);
                guest.send(guest.header(vsock::kOpRw, kGuestPort, fixture.hostPort), piece);
                sent += length;
                sentCount += length;
            }
            for (VsockGuestPacket& packet : guest.receive()) {
                wasReset = wasReset || packet.header.op == vsock::kOpRst;
                hostBufAlloc = packet.header.bufAlloc;
                hostFwdCnt = packet.header.fwdCnt;
            }
        }
        QVERIFY(!wasReset);
        QCOMPARE(sent, kStreamBytes);
        auto both = guest.header(vsock::kOpShutdown, kGuestPort, fixture.hostPort);
        both.flags = vsock::kShutdownBoth;
        guest.send(both);
        QVERIFY(
            guest.receiveOp(vsock::kOpRst, nullptr, 30s)); // after the last byte reached the host
        reader.join();
        QCOMPARE(hostReceived.load(), kStreamBytes);
        QCOMPARE(receivedDigest, hash.finish());
        QCOMPARE(fixture.rig->device->stats().bytesFromGuest, kStreamBytes);
        QVERIFY(waits > 0); // the credit did run out
        uint64_t growthKiB = peakResidentKiB() - peakBefore;
        QVERIFY2(growthKiB < 32 * 1024, "memory grew with the stream");
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        qInfo("guest to host: 100 MiB in %.2f s (%.0f MiB/s), %llu waits for credit, peak memory "
              "growth %llu KiB",
            seconds, 100 / seconds, static_cast<unsigned long long>(waits),
            static_cast<unsigned long long>(growthKiB));
    }
};

QTEST_GUILESS_MAIN(VirtioVsockStreamTest)
#include "tst_virtio_vsock_stream.moc"
