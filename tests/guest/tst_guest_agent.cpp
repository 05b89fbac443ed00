// The guest agent (vmm/guest AgentSession, CommandRunner, OutboxReader, MetricsSampler) served
// on one end of a socketpair and driven by the host's AgentClient on the other, as over vsock:
// commands with their streams and statuses, several at once, 100 MiB through a command with a
// matching hash and without the agent holding it in memory, the outbox kept inside its root,
// metrics and the shutdown request.

#include "guest/AgentSession.h"
#include "guest/ChildTable.h"
#include "guest/MetricsSampler.h"
#include "protocol/AgentClient.h"
#include "protocol/ErrorMessage.h"
#include "protocol/FrameStream.h"
#include "protocol/Sha256.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <thread>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <QTemporaryDir>
#include <QTest>

using namespace vmm;
using namespace vmm::guest;
using namespace std::chrono_literals;

namespace {

// What PID 1's loop does for the agent: reap every child and hand the status over.
class TestReaper {
public:
    explicit TestReaper(ChildTable& children)
        : m_thread([this, &children] {
            while (!m_stop) {
                int status = 0;
                pid_t pid = ::waitpid(-1, &status, WNOHANG);
                if (pid > 0)
                    children.deliver(pid, status);
                else
                    std::this_thread::sleep_for(1ms);
            }
        })
    {
    }
    ~TestReaper()
    {
        m_stop = true;
        m_thread.join();
    }

private:
    std::atomic<bool> m_stop {false};
    std::thread m_thread;
};

// An agent connection served on a thread, as AgentServer does for each vsock connection.
struct ServedConnection {
    UniqueFd hostEnd;
    std::thread thread;
    Result<void> result;

    explicit ServedConnection(AgentContext& context)
    {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
            return;
        hostEnd = UniqueFd(fds[0]);
        thread = std::thread([this, guestEnd = UniqueFd(fds[1]), &context]() mutable {
            result = AgentSession::serve(std::move(guestEnd), context);
        });
    }
    ~ServedConnection()
    {
        hostEnd.reset();
        if (thread.joinable())
            thread.join();
    }
};

struct Output {
    std::string out;
    std::string err;
};

AgentClient::OutputHandler collectInto(Output& output)
{
    return [&output](
               AgentClient::OutputStream stream, std::span<const uint8_t> bytes) -> Result<void> {
        (stream == AgentClient::OutputStream::Stdout ? output.out : output.err)
            .append(bytes.begin(), bytes.end());
        return {};
    };
}

ExecRequest command(std::vector<std::string> argv, bool hasStdin = false)
{
    ExecRequest request;
    request.argv = std::move(argv);
    request.hasStdin = hasStdin;
    return request;
}

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

bool writeFile(const QString& path, const std::string& bytes)
{
    std::ofstream file(path.toStdString(), std::ios::binary);
    file << bytes;
    return bool(file);
}

} // namespace

class GuestAgentTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_outbox;
    ChildTable m_children;
    std::unique_ptr<TestReaper> m_reaper;
    std::unique_ptr<MetricsSampler> m_metrics;
    std::unique_ptr<AgentContext> m_context;
    std::atomic<int> m_shutdowns {0};

    AgentClient connect(ServedConnection& connection)
    {
        auto client = AgentClient::create(std::move(connection.hostEnd));
        if (!client)
            qFatal("hello failed: %s", client.error().message().c_str());
        return std::move(*client);
    }

private slots:
    void initTestCase()
    {
        ::signal(SIGPIPE, SIG_IGN); // as PID 1, which the kernel never kills with SIGPIPE
        m_reaper = std::make_unique<TestReaper>(m_children);
        m_metrics = std::make_unique<MetricsSampler>("/proc", m_outbox.path().toStdString());
        m_context = std::make_unique<AgentContext>(AgentContext {
            m_children, OutboxReader(m_outbox.path().toStdString()), *m_metrics, [this] {
                ++m_shutdowns;
            }});
    }

    void cleanupTestCase() { m_reaper.reset(); }

    void hundredMebibytesThroughACommandKeepTheirHashAndNotTheMemory()
    {
        constexpr size_t kTotal = 100 * 1024 * 1024;
        ServedConnection connection(*m_context);
        AgentClient client = connect(connection);
        int input[2];
        QCOMPARE(::pipe2(input, O_CLOEXEC), 0);
        Sha256 sentHash;
        std::thread feeder([&] {
            std::vector<uint8_t> block(64 * 1024);
            for (size_t sent = 0; sent < kTotal; sent += block.size()) {
                for (size_t i = 0; i < block.size(); ++i)
                    block[i] = static_cast<uint8_t>((sent + i) * 2654435761u >> 13);
                sentHash.update(block);
                if (::write(input[1], block.data(), block.size()) !=
                    static_cast<ssize_t>(block.size()))
                    break;
            }
            ::close(input[1]);
        });
        Sha256 receivedHash;
        size_t received = 0;
        uint64_t peakBefore = peakResidentKiB();
        auto started = std::chrono::steady_clock::now();
        auto exited = client.exec(command({"cat"}, true), input[0],
            [&](AgentClient::OutputStream, std::span<const uint8_t> bytes) -> Result<void> {
                receivedHash.update(bytes);
                received += bytes.size();
                return {};
            });
        double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        feeder.join();
        ::close(input[0]);
        QVERIFY2(exited, exited ? "" : exited.error().message().c_str());
        QCOMPARE(exited->status, uint8_t {0});
        QCOMPARE(received, kTotal);
        QCOMPARE(receivedHash.finishHex(), sentHash.finishHex());
        uint64_t growthKiB = peakResidentKiB() - peakBefore;
        qInfo("100 MiB stdin -> cat -> stdout: %.0f MiB/s, peak memory grew %llu KiB",
            100 / seconds, static_cast<unsigned long long>(growthKiB));
        QVERIFY2(growthKiB < 16 * 1024, "the agent or client held the stream in memory");
    }

    void outputStatusAndSignalsArrive()
    {
        ServedConnection connection(*m_context);
        AgentClient client = connect(connection);
        Output output;
        auto exited = client.exec(
            command({"sh", "-c", "echo out; echo err >&2; exit 7"}), -1, collectInto(output));
        QVERIFY(exited);
        QCOMPARE(output.out, std::string("out\n"));
        QCOMPARE(output.err, std::string("err\n"));
        QCOMPARE(exited->exitCode.value_or(-1), 7);
        QCOMPARE(exited->status, uint8_t {7});
        // The same connection serves the next request.
        auto killed = client.exec(command({"sh", "-c", "kill -9 $$"}), -1, collectInto(output));
        QVERIFY(killed);
        QCOMPARE(killed->signal.value_or(-1), 9);
        QCOMPARE(killed->status, uint8_t {137});
    }

    void workingDirectoryAndEnvironmentApply()
    {
        ServedConnection connection(*m_context);
        AgentClient client = connect(connection);
        ExecRequest request = command({"sh", "-c", "pwd; echo \"$AIRLOCK_TEST\"; cat"});
        request.workingDirectory = "/tmp";
        request.environment["AIRLOCK_TEST"] = "a value with spaces";
        Output output;
        auto exited = client.exec(request, -1, collectInto(output));
        QVERIFY(exited);
        // Without stdin the command reads /dev/null: cat ends at once.
        QCOMPARE(output.out, std::string("/tmp\na value with spaces\n"));
    }

    void aMissingProgramIsAClearError()
    {
        ServedConnection connection(*m_context);
        AgentClient client = connect(connection);
        Output output;
        auto exited = client.exec(command({"no-such-program-airlock"}), -1, collectInto(output));
        QVERIFY(!exited);
        QVERIFY2(exited.error().message().find("(spawn)") != std::string::npos &&
                exited.error().message().find("no-such-program-airlock") != std::string::npos,
            exited.error().message().c_str());
        auto again = client.exec(command({"true"}), -1, collectInto(output));
        QVERIFY(again); // the connection is still usable
    }

    void aHostThatStopsReadingKillsTheCommand()
    {
        ServedConnection connection(*m_context);
        AgentClient client = connect(connection);
        auto started = std::chrono::steady_clock::now();
        auto exited = client.exec(command({"sh", "-c", "echo first; exec sleep 30"}), -1,
            [](AgentClient::OutputStream, std::span<const uint8_t>) -> Result<void> {
                return failure(Error::invalid("viewer", "closed by the user"));
            });
        QVERIFY(!exited);
        QVERIFY(exited.error().message().find("closed by the user") != std::string::npos);
        QVERIFY(std::chrono::steady_clock::now() - started < 10s);
    }

    void severalCommandsRunAtOnce()
    {
        constexpr int kCommands = 6;
        std::vector<std::unique_ptr<ServedConnection>> connections;
        std::vector<std::thread> hosts;
        std::vector<std::string> outputs(kCommands);
        auto started = std::chrono::steady_clock::now();
        for (int i = 0; i < kCommands; ++i)
            connections.push_back(std::make_unique<ServedConnection>(*m_context));
        for (int i = 0; i < kCommands; ++i) {
            hosts.emplace_back([&, i] {
                auto client =
                    AgentClient::create(std::move(connections[static_cast<size_t>(i)]->hostEnd));
                if (!client)
                    return;
                Output output;
                auto exited =
                    client->exec(command({"sh", "-c", "sleep 1; echo " + std::to_string(i)}), -1,
                        collectInto(output));
                if (exited && exited->status == 0)
                    outputs[static_cast<size_t>(i)] = output.out;
            });
        }
        for (std::thread& host : hosts)
            host.join();
        for (int i = 0; i < kCommands; ++i)
            QCOMPARE(outputs[static_cast<size_t>(i)], std::to_string(i) + "\n");
        // Six one-second commands in parallel, not one after another.
        QVERIFY(std::chrono::steady_clock::now() - started < 4s);
    }

    void theOutboxListsRegularFilesOnlyWithTheirHashes()
    {
        QDir root(m_outbox.path());
        QVERIFY(root.mkpath("results/deep"));
        QVERIFY(writeFile(root.filePath("summary.txt"), "hello outbox\n"));
        QVERIFY(writeFile(root.filePath("results/deep/table 1 é.csv"), std::string(300000, 'x')));
        QVERIFY(writeFile(root.filePath("empty"), ""));
        QCOMPARE(
            ::symlink("/etc/passwd", root.filePath("passwd-link").toLocal8Bit().constData()), 0);
        QCOMPARE(::symlink("/etc", root.filePath("etc-link").toLocal8Bit().constData()), 0);
        QCOMPARE(::mkfifo(root.filePath("fifo").toLocal8Bit().constData(), 0600), 0);

        ServedConnection connection(*m_context);
        AgentClient client = connect(connection);
        auto entries = client.listOutbox();
        QVERIFY2(entries, entries ? "" : entries.error().message().c_str());
        QCOMPARE(entries->size(), size_t {3});
        QCOMPARE((*entries)[0].path, std::string("empty"));
        QCOMPARE((*entries)[1].path, std::string("results/deep/table 1 é.csv"));
        QCOMPARE((*entries)[1].size, uint64_t {300000});
        QCOMPARE((*entries)[2].path, std::string("summary.txt"));
        std::string summary = "hello outbox\n";
        QCOMPARE((*entries)[2].sha256,
            Sha256::hexDigest(
                std::span(reinterpret_cast<const uint8_t*>(summary.data()), summary.size())));
        QVERIFY((*entries)[2].mtimeNs > 1'600'000'000'000'000'000);

        std::string fetched;
        auto end = client.fetchOutboxFile(
            "results/deep/table 1 é.csv", [&](std::span<const uint8_t> bytes) -> Result<void> {
                fetched.append(bytes.begin(), bytes.end());
                return {};
            });
        QVERIFY2(end, end ? "" : end.error().message().c_str());
        QCOMPARE(fetched, std::string(300000, 'x'));
        QCOMPARE(end->sha256, (*entries)[1].sha256);

        // Symlinks are not followed, to a file or through a folder; a fifo is not a file.
        for (const char* path : {"passwd-link", "etc-link/passwd", "fifo", "missing"}) {
            auto refused = client.fetchOutboxFile(
                path, [](std::span<const uint8_t>) -> Result<void> { return {}; });
            QVERIFY2(!refused, path);
            QVERIFY2(refused.error().message().find("root:") == std::string::npos, path);
        }
    }

    void aHostilePathNeverLeavesTheOutbox()
    {
        // Raw frames, past the client's own checks: the agent checks again.
        ServedConnection connection(*m_context);
        FrameStream stream(connection.hostEnd.get());
        QVERIFY(stream.send(Hello {"airlock-agent", {1, 0}, "test"}.toFrame()));
        QVERIFY(stream.receive(5s));
        for (const char* path : {"../../../../etc/passwd", "/etc/passwd", "a/../../x"}) {
            QVERIFY(stream.send(makeFrame(MessageKind::OutboxFetchRequest, {{"path", path}})));
            auto reply = stream.receive(5s);
            QVERIFY(reply && *reply);
            QVERIFY2((*reply)->is(MessageKind::Error), path);
            QCOMPARE((*reply)->header.value("code", std::string()), std::string("invalid"));
        }
    }

    void metricsDescribeTheMachine()
    {
        ServedConnection connection(*m_context);
        AgentClient client = connect(connection);
        auto first = client.metrics();
        QVERIFY2(first, first ? "" : first.error().message().c_str());
        QVERIFY(first->memoryTotalBytes > 0);
        QVERIFY(first->memoryAvailableBytes <= first->memoryTotalBytes);
        QCOMPARE(first->memoryUsedBytes, first->memoryTotalBytes - first->memoryAvailableBytes);
        QVERIFY(first->uptimeSeconds > 0);
        QVERIFY(first->workTotalBytes > 0); // statvfs of the folder standing in for /work
        std::this_thread::sleep_for(50ms);
        auto second = client.metrics();
        QVERIFY(second);
        QVERIFY(second->cpuBusyPercent >= 0 && second->cpuBusyPercent <= 100);
    }

    void shutdownIsAcceptedThenRequested()
    {
        ServedConnection connection(*m_context);
        AgentClient client = connect(connection);
        QVERIFY(client.shutdown());
        QTRY_COMPARE(m_shutdowns.load(), 1); // called just after the answer went out
    }

    void anotherMajorVersionGetsAVersionError()
    {
        ServedConnection connection(*m_context);
        FrameStream stream(connection.hostEnd.get());
        QVERIFY(stream.send(Hello {"airlock-agent", {2, 0}, "future host"}.toFrame()));
        auto reply = stream.receive(5s);
        QVERIFY(reply && *reply);
        QVERIFY((*reply)->is(MessageKind::Error));
        auto error = ErrorMessage::fromJson((*reply)->header);
        QVERIFY(error);
        QCOMPARE(error->code, std::string("version"));
        QVERIFY2(error->message.find("2.0") != std::string::npos, error->message.c_str());
        auto closed = stream.receive(5s);
        QVERIFY(closed && !*closed); // and the agent hangs up
    }

    void garbageGetsAProtocolErrorAndAHangUp()
    {
        ServedConnection connection(*m_context);
        FrameStream stream(connection.hostEnd.get());
        QVERIFY(stream.send(Hello {"airlock-agent", {1, 0}, "test"}.toFrame()));
        QVERIFY(stream.receive(5s));
        std::string garbage = "GET / HTTP/1.1\r\n\r\n";
        QCOMPARE(::write(connection.hostEnd.get(), garbage.data(), garbage.size()),
            ssize_t(garbage.size()));
        auto reply = stream.receive(5s);
        QVERIFY(reply && *reply);
        QVERIFY((*reply)->is(MessageKind::Error));
        QCOMPARE((*reply)->header.value("code", std::string()), std::string("protocol"));
        auto closed = stream.receive(5s);
        QVERIFY(closed && !*closed);
    }
};

QTEST_GUILESS_MAIN(GuestAgentTest)
#include "tst_guest_agent.moc"
