// EngineSession and the guest agent, relayed over the control channel to a fake agent behind
// the fake engine's hybrid vsock socket: the outbox is listed with sizes and hashes, a file is
// exported atomically with its SHA-256 checked, a path outside the outbox is refused, and the
// agent's memory figures reach the metrics samples.

#include "protocol/AgentProtocol.h"
#include "protocol/FrameStream.h"
#include "protocol/OutboxMessages.h"
#include "protocol/Sha256.h"
#include "tst_engine_support.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {
const std::string kReport = "patient_id,score\n1,0.93\n2,0.41\n";

/// A guest agent behind a hybrid vsock socket: one outbox file, fixed metrics.
class FakeAgent {
public:
    explicit FakeAgent(std::string path)
        : m_path(std::move(path))
    {
        m_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, m_path.c_str(), sizeof address.sun_path - 1);
        // Safety: sockaddr_un is a sockaddr by the sockets API's layout rules.
        ::bind(m_listener, reinterpret_cast<const sockaddr*>(&address), sizeof address);
        ::listen(m_listener, 8);
        m_thread = std::thread([this] {
            for (;;) {
                int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_CLOEXEC);
                if (fd < 0)
                    return;
                m_workers.emplace_back([fd] { serve(vmm::UniqueFd(fd)); });
            }
        });
    }
    ~FakeAgent()
    {
        ::shutdown(m_listener, SHUT_RDWR);
        m_thread.join();
        for (auto& worker : m_workers)
            worker.join();
        ::close(m_listener);
    }

private:
    static void serve(vmm::UniqueFd fd)
    {
        std::string line;
        char byte = 0;
        while (::read(fd.get(), &byte, 1) == 1 && byte != '\n')
            line += byte;
        const char ok[] = "OK 1073741824\n";
        if (line != "CONNECT 1024" || ::write(fd.get(), ok, sizeof ok - 1) != sizeof ok - 1)
            return;
        vmm::FrameStream stream(fd.get());
        if (!stream.receive(std::chrono::seconds(5)))
            return;
        vmm::Hello hello {std::string(vmm::kAgentProtocolName), vmm::kAgentProtocolVersion, "fake"};
        if (!stream.send(hello.toFrame()))
            return;
        for (;;) {
            auto frame = stream.receive();
            if (!frame || !*frame)
                return;
            if ((*frame)->is(vmm::MessageKind::MetricsRequest)) {
                vmm::GuestMetrics metrics;
                metrics.memoryTotalBytes = 500 << 20;
                metrics.memoryAvailableBytes = 380 << 20;
                metrics.memoryUsedBytes = 120 << 20;
                metrics.load1 = 0.5;
                [[maybe_unused]] auto sent = stream.send(metrics.toFrame());
            } else if ((*frame)->is(vmm::MessageKind::OutboxListRequest)) {
                std::string sha = vmm::Sha256::hexDigest(
                    std::span(reinterpret_cast<const uint8_t*>(kReport.data()), kReport.size()));
                [[maybe_unused]] auto sent = stream.send(vmm::OutboxEntry {
                    "results/report.csv", kReport.size(), sha, 1'700'000'000'000'000'000}
                                                             .toFrame());
                sent = stream.send(vmm::OutboxListEnd {1, 0}.toFrame());
            } else if ((*frame)->is(vmm::MessageKind::OutboxFetchRequest)) {
                auto request = vmm::OutboxFetchRequest::fromJson((*frame)->header);
                std::vector<uint8_t> bytes(kReport.begin(), kReport.end());
                [[maybe_unused]] auto sent =
                    stream.send(vmm::OutboxFileBegin {request->path, bytes.size()}.toFrame());
                sent = stream.send(
                    vmm::makeFrame(vmm::MessageKind::OutboxFileChunk, {{"offset", 0}}, bytes));
                sent = stream.send(
                    vmm::OutboxFileEnd {bytes.size(), vmm::Sha256::hexDigest(bytes)}.toFrame());
            } else {
                return;
            }
        }
    }

    std::string m_path;
    int m_listener = -1;
    std::thread m_thread;
    std::vector<std::thread> m_workers;
};
} // namespace

class EngineAgentTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

private slots:
    void initTestCase() { qRegisterMetaType<app::EngineState>(); }

    void theOutboxIsListedAndAFileExportedWithItsHashChecked()
    {
        FakeTarget target;
        target.socketPath = m_directory.filePath("vsock.sock").toStdString();
        FakeAgent agent(target.socketPath);
        FakeEngine engine(target);
        app::EngineSession session;
        QSignalSpy sampled(&session, &app::EngineSession::metricsSampled);
        QVERIFY(session.attach(engine.takeAppSide()));
        QTRY_COMPARE(session.state(), app::EngineState::Running);

        auto listing = session.listOutbox();
        QTRY_VERIFY(listing.isFinished());
        auto files = listing.result();
        QVERIFY2(files, files ? "" : qPrintable(files.error().message));
        QCOMPARE(files->size(), 1);
        QCOMPARE(files->first().path, QStringLiteral("results/report.csv"));
        QCOMPARE(files->first().size, quint64(kReport.size()));

        QString destination = m_directory.filePath("report.csv");
        auto fetched = session.fetchOutboxFile("results/report.csv", destination);
        QTRY_VERIFY(fetched.isFinished());
        auto exported = fetched.result();
        QVERIFY2(exported, exported ? "" : qPrintable(exported.error().message));
        QCOMPARE(exported->sha256, files->first().sha256);
        QFile written(destination);
        QVERIFY(written.open(QIODevice::ReadOnly));
        QCOMPARE(written.readAll(), QByteArray::fromStdString(kReport));

        auto refused = session.fetchOutboxFile("../etc/passwd", m_directory.filePath("x"));
        QTRY_VERIFY(refused.isFinished());
        QVERIFY(!refused.result());
        QVERIFY(refused.result().error().message.contains("not a file of the outbox"));
        QVERIFY2(!QFile::exists(m_directory.filePath("x")), "nothing written for a refusal");

        // The agent's memory figures join the engine's metrics within a few seconds.
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const QList<QVariant>& arguments : sampled) {
                    if (arguments.first().value<app::MetricsSample>().guestMemoryUsedBytes)
                        return true;
                }
                return false;
            }(),
            5000);
        QCOMPARE(session.metricsHistory().latest()->memoryUsedBytes, double(120 << 20));
    }
};

QTEST_GUILESS_MAIN(EngineAgentTest)
#include "tst_engine_agent.moc"
