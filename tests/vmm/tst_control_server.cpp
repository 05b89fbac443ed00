// The control channel end to end without KVM: ControlClient against ControlServer over a
// socketpair, the machine a fake. Commands reach the machine and are answered, console bytes and
// metrics arrive as events, relayed streams carry bytes both ways with credit (two at once, the
// stream cap, refused ports), and the console never blocks its writer.

#include "control/ControlClient.h"
#include "control/ControlEvents.h"
#include "control/ProcessMetrics.h"
#include "tst_control_support.h"

#include <cstring>
#include <future>
#include <random>

#include <sys/mman.h>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTest>

using namespace std::chrono_literals;

namespace {

std::unique_ptr<vmm::ControlClient> connectClient(ServerHarness& harness)
{
    auto client = vmm::ControlClient::create(vmm::UniqueFd(harness.takeAppSide()), 5s);
    if (!client) {
        qWarning("%s", client.error().message().c_str());
        return nullptr;
    }
    return std::move(*client);
}

// The next event of `kind`, skipping others, within `timeout`.
std::optional<vmm::Frame> waitForEvent(
    vmm::ControlClient& client, vmm::ControlKind kind, std::chrono::milliseconds timeout = 5000ms)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        auto event = client.nextEvent(100ms);
        if (!event)
            return std::nullopt;
        if (*event && (*event)->kind == vmm::toWire(kind))
            return std::move(**event);
    }
    return std::nullopt;
}

// Writes `data` into `fd` on a thread while reading everything back until the end of stream.
std::vector<uint8_t> pumpThrough(int fd, const std::vector<uint8_t>& data)
{
    std::thread writer([&] {
        for (size_t sent = 0; sent < data.size();) {
            ssize_t count = ::send(fd, data.data() + sent,
                std::min<size_t>(data.size() - sent, 100'000), MSG_NOSIGNAL);
            if (count <= 0)
                break;
            sent += static_cast<size_t>(count);
        }
        ::shutdown(fd, SHUT_WR);
    });
    std::vector<uint8_t> back;
    std::vector<uint8_t> buffer(128 * 1024);
    for (;;) {
        pollfd entry {fd, POLLIN, 0};
        if (::poll(&entry, 1, 10000) <= 0)
            break;
        ssize_t got = ::read(fd, buffer.data(), buffer.size());
        if (got <= 0)
            break;
        back.insert(back.end(), buffer.begin(), buffer.begin() + got);
    }
    writer.join();
    return back;
}

std::vector<uint8_t> randomBytes(size_t size, unsigned seed)
{
    std::mt19937 generator(seed);
    std::vector<uint8_t> bytes(size);
    for (auto& byte : bytes)
        byte = static_cast<uint8_t>(generator());
    return bytes;
}

} // namespace

class ControlServerTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;
    std::string socketPath() const { return m_directory.filePath("vsock.sock").toStdString(); }

private slots:
    void helloThenStatusDescribesTheSession()
    {
        FakeTarget target;
        target.socketPath = socketPath();
        ServerHarness harness(target);
        auto client = connectClient(harness);
        QVERIFY(client);
        QCOMPARE(client->peer().protocol, std::string("airlock-control"));
        auto state = waitForEvent(*client, vmm::ControlKind::State);
        QVERIFY2(state && state->header["state"] == "running", "no initial state event");
        auto status = client->status();
        QVERIFY2(status, status ? "" : status.error().message().c_str());
        QCOMPARE(status->vcpus, 2u);
        QCOMPARE(status->datasets.at(0).name, std::string("data set"));
        QCOMPARE(status->datasets.at(0).imageBytes, 8192u);
        QCOMPARE(status->scratchBytes, uint64_t(64 << 20));
        QCOMPARE(status->vsockPath, socketPath());
        QCOMPARE(status->state, vmm::MachineState::Running);
    }

    void pauseResumeAndStopReachTheMachine()
    {
        FakeTarget target;
        ServerHarness harness(target);
        auto client = connectClient(harness);
        QVERIFY(client);
        QVERIFY(client->pause());
        QVERIFY(target.paused);
        QCOMPARE(client->status()->state, vmm::MachineState::Paused);
        QVERIFY(client->resume());
        QVERIFY(!target.paused);
        QVERIFY(client->stop(false));
        QCOMPARE(client->status()->state, vmm::MachineState::Stopping);
        auto stops = target.stopCalls();
        QCOMPARE(stops.size(), size_t(1));
        QVERIFY2(!stops[0].force, "a plain stop must ask for a clean shutdown");
        auto refused = client->pause();
        QVERIFY2(!refused, "pausing a stopping session must fail");
        QVERIFY(client->stop(true));
        QVERIFY(target.stopCalls().back().force);
    }

    void consoleFlowsBothWays()
    {
        FakeTarget target;
        target.acceptPerCall = 3; // a UART that takes little at a time: the server retries
        ServerHarness harness(target);
        auto client = connectClient(harness);
        QVERIFY(client);
        std::string typed = "echo hello-from-app\n";
        QVERIFY(client->sendConsoleInput(
            {reinterpret_cast<const uint8_t*>(typed.data()), typed.size()}));
        QTRY_COMPARE_WITH_TIMEOUT(target.receivedInput(), typed, 5000);

        std::string output = "guest says hi\n";
        harness.server->consoleOutput(
            {reinterpret_cast<const uint8_t*>(output.data()), output.size()});
        auto event = waitForEvent(*client, vmm::ControlKind::ConsoleOutputBytes);
        QVERIFY(event);
        QCOMPARE(std::string(event->payload.begin(), event->payload.end()), output);
    }

    void consoleOverflowIsDroppedAndCountedNotBlocking()
    {
        FakeTarget target;
        vmm::ControlServerOptions options;
        options.consoleBufferBytes = 4096;
        ServerHarness harness(target, options);
        // Before the app says hello nothing is sent: the buffer fills and the rest is dropped,
        // and the writer (a vCPU thread in airlock-vmm) returns at once every time.
        std::vector<uint8_t> chunk(1000, 'x');
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 10; ++i)
            harness.server->consoleOutput(chunk);
        QVERIFY(timer.elapsed() < 1000);
        auto client = connectClient(harness);
        QVERIFY(client);
        auto dropped = waitForEvent(*client, vmm::ControlKind::ConsoleDropped);
        QVERIFY(dropped);
        QCOMPARE(dropped->header["bytes"].get<uint64_t>(), uint64_t(10000 - 4096));
        auto metrics = client->metrics();
        QVERIFY(metrics);
        QCOMPARE(metrics->consoleDroppedBytes, uint64_t(10000 - 4096));
    }

    void metricsOnRequestAndBySubscription()
    {
        FakeTarget target;
        ServerHarness harness(target);
        auto client = connectClient(harness);
        QVERIFY(client);
        auto metrics = client->metrics();
        QVERIFY2(metrics, metrics ? "" : metrics.error().message().c_str());
        QCOMPARE(metrics->vcpus.size(), size_t(2));
        QCOMPARE(metrics->disks.at(0).bytesRead, 4096u);
        QVERIFY2(!client->subscribeMetrics(100ms), "the client must refuse intervals under 250 ms");
        QVERIFY(client->subscribeMetrics(250ms));
        QElapsedTimer timer;
        timer.start();
        int events = 0;
        while (timer.elapsed() < 1300)
            events += waitForEvent(*client, vmm::ControlKind::Metrics,
                          1300ms - std::chrono::milliseconds(timer.elapsed()))
                ? 1
                : 0;
        QVERIFY2(events >= 3 && events <= 6,
            qPrintable(QString("%1 metrics events in 1.3 s at 250 ms").arg(events)));
        QVERIFY(client->subscribeMetrics(0ms));
        QVERIFY(client->isConnected());
    }

    void streamsRelayBothWaysTwoAtOnce()
    {
        FakeTarget target;
        target.socketPath = socketPath();
        FakeHybridVsock vsock(target.socketPath);
        ServerHarness harness(target);
        auto client = connectClient(harness);
        QVERIFY(client);
        auto first = client->openStream(1024);
        auto second = client->openStream(1025);
        QVERIFY2(first && second, first ? "second failed" : first.error().message().c_str());
        auto big = randomBytes(24 << 20, 1);
        auto small = randomBytes(3 << 20, 2);
        QElapsedTimer timer;
        timer.start();
        auto bigBack =
            std::async(std::launch::async, [&] { return pumpThrough(first->get(), big); });
        auto smallBack = pumpThrough(second->get(), small);
        QVERIFY2(smallBack == small, "the second stream came back different");
        QVERIFY2(bigBack.get() == big, "the first stream came back different");
        qInfo("relayed %.1f MiB echo through two streams in %lld ms", 27.0, timer.elapsed());
        QCOMPARE(vsock.connections(), 2);
    }

    void refusedPortAndStreamCap()
    {
        FakeTarget target;
        target.socketPath = socketPath();
        FakeHybridVsock vsock(target.socketPath);
        vmm::ControlServerOptions options;
        options.maxStreams = 2;
        ServerHarness harness(target, options);
        auto client = connectClient(harness);
        QVERIFY(client);
        auto refused = client->openStream(9);
        QVERIFY2(!refused && refused.error().message().find("refused") != std::string::npos,
            refused ? "port 9 opened" : refused.error().message().c_str());
        auto one = client->openStream(1);
        auto two = client->openStream(2);
        QVERIFY(one && two);
        auto three = client->openStream(3);
        QVERIFY2(!three && three.error().message().find("busy") != std::string::npos,
            three ? "a third stream opened past the cap" : three.error().message().c_str());
        QVERIFY2(client->isConnected(), "a refused stream must not close the channel");
        one->reset(); // dropping a stream frees its place
        bool reopened = false;
        for (int attempt = 0; attempt < 100 && !reopened; ++attempt) {
            reopened = client->openStream(4).has_value();
            if (!reopened)
                std::this_thread::sleep_for(50ms);
        }
        QVERIFY2(reopened, "a dropped stream's place was never freed");
    }

    void streamWithoutVsockIsRefused()
    {
        FakeTarget target; // no vsock path
        ServerHarness harness(target);
        auto client = connectClient(harness);
        QVERIFY(client);
        auto stream = client->openStream(1024);
        QVERIFY(!stream);
        QVERIFY(client->isConnected());
    }

    // A display stream goes straight to the display's Unix socket: the bytes that arrive there
    // are the app's own (an RFB greeting), with no vsock CONNECT line before them.
    void displayStreamReachesTheDisplaySocketDirectly()
    {
        FakeTarget target;
        target.displayPath = m_directory.filePath("display.sock").toStdString();
        int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, target.displayPath.c_str(), sizeof address.sun_path - 1);
        QVERIFY(::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
        QVERIFY(::listen(listener, 4) == 0);
        std::string firstBytes;
        std::thread server([&] {
            int connection = ::accept(listener, nullptr, nullptr);
            if (connection < 0)
                return;
            char buffer[64];
            ssize_t count = ::read(connection, buffer, sizeof buffer);
            if (count > 0) {
                firstBytes.assign(buffer, static_cast<size_t>(count));
                if (::write(connection, "RFB 003.008\n", 12) != 12)
                    firstBytes += " (reply not written)";
            }
            ::close(connection);
        });
        ServerHarness harness(target);
        auto client = connectClient(harness);
        QVERIFY(client);
        auto stream = client->openDisplayStream();
        QVERIFY2(stream, stream ? "" : stream.error().message().c_str());
        QCOMPARE(::write(stream->get(), "RFB 003.008\n", 12), ssize_t {12});
        char reply[16] = {};
        ssize_t got = 0;
        for (int attempt = 0; attempt < 100 && got < 12; ++attempt) {
            pollfd ready {stream->get(), POLLIN, 0};
            if (::poll(&ready, 1, 100) > 0) {
                ssize_t count = ::read(stream->get(), reply + got, sizeof reply - 1 - size_t(got));
                if (count <= 0)
                    break;
                got += count;
            }
        }
        server.join();
        ::close(listener);
        QCOMPARE(firstBytes, std::string("RFB 003.008\n"));
        QCOMPARE(std::string(reply, size_t(got)), std::string("RFB 003.008\n"));
    }

    void displayStreamWithoutADisplayIsRefused()
    {
        FakeTarget target;
        target.socketPath = socketPath(); // a vsock device, but no display
        FakeHybridVsock vsock(target.socketPath);
        ServerHarness harness(target);
        auto client = connectClient(harness);
        QVERIFY(client);
        auto stream = client->openDisplayStream();
        QVERIFY2(!stream && stream.error().message().find("no display") != std::string::npos,
            stream ? "a display stream opened without a display" : stream.error().message().c_str());
        QVERIFY(client->isConnected());
        QCOMPARE(vsock.connections(), 0); // it did not go to the guest instead
    }

    void hostMetricsOfThisProcess()
    {
        // readProcessMemory splits the RSS as /proc/self/status does: a shared mapping is RssShmem.
        int fd = ::memfd_create("metrics-test", MFD_CLOEXEC);
        QVERIFY(fd >= 0 && ::ftruncate(fd, 16 << 20) == 0);
        void* mapped = ::mmap(nullptr, 16 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        QVERIFY(mapped != MAP_FAILED);
        std::memset(mapped, 1, 16 << 20);
        auto memory = vmm::readProcessMemory();
        QVERIFY2(memory, memory ? "" : memory.error().message().c_str());
        QVERIFY2(memory->rssBytes > memory->sharedBytes && memory->anonymousBytes > 0,
            "no resident figures");
        QVERIFY2(memory->sharedBytes >= (16u << 20),
            qPrintable(QString("RssShmem %1").arg(memory->sharedBytes)));
        ::munmap(mapped, 16 << 20);
        ::close(fd);

        volatile uint64_t spin = 0;
        for (uint64_t i = 0; i < 50'000'000; ++i)
            spin = spin + i;
        auto cpu = vmm::threadCpuTimeNs(static_cast<pid_t>(::gettid()));
        QVERIFY2(cpu && *cpu > 1'000'000, "this thread's CPU time is not read");
        QVERIFY(vmm::processCpuTimeNs() >= *cpu);
    }

    void theAppGoingAwayStopsTheMachine()
    {
        FakeTarget target;
        ServerHarness harness(target);
        {
            auto client = connectClient(harness);
            QVERIFY(client);
        }
        QTRY_COMPARE_WITH_TIMEOUT(target.stopCalls().size(), size_t(1), 5000);
        QVERIFY(target.stopCalls()[0].force);
        QVERIFY(!harness.server->isOpen());
    }
};

QTEST_GUILESS_MAIN(ControlServerTest)

#include "tst_control_server.moc"
