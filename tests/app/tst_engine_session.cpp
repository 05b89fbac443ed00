// EngineSession against an in-process fake airlock-vmm (ControlServer and a fake machine over a
// socketpair): the engine's states become stateChanged, console bytes go both ways, metrics
// arrive once a second, pause/resume/stop reach the machine, and a session ends in Ended with
// the engine's shred report. A malformed frame or a vanished engine ends in Failed, with a
// clear reason and a shred report that says what happened, never a crash. A stop asked for
// before the engine's hello waits for it, so the engine's own shred report still arrives; a
// started engine's output lines reach logLine(), and a KVM lab that broke is named as the cause.

#include "EngineChannel.h"
#include "protocol/FrameEncoder.h"
#include "protocol/Hello.h"
#include "tst_engine_support.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using app::EngineState;

namespace {
/// A fake airlock-vmm that says nothing until start(): an engine still building its machine, or
/// the KVM lab still booting, before it answers the app's hello.
class SlowEngine {
public:
    explicit SlowEngine(FakeTarget& target)
    {
        int pair[2];
        ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair);
        m_appSide = vmm::UniqueFd(pair[0]);
        m_loop.emplace(std::move(*vmm::EventLoop::create()));
        server = std::move(*vmm::ControlServer::create(vmm::UniqueFd(pair[1]), target));
    }
    ~SlowEngine()
    {
        stopLoop();
        server.reset();
    }

    /// The app's end of the channel (once).
    vmm::UniqueFd takeAppSide() { return std::move(m_appSide); }

    /// Starts answering: the hello, then commands.
    void start()
    {
        [[maybe_unused]] auto attached = server->attach(*m_loop);
        m_thread = std::thread([this] {
            while (!m_stopping) {
                [[maybe_unused]] auto ran = m_loop->runOnce(10);
                server->tick();
            }
        });
    }

    /// Ends as airlock-vmm does: state "stopped", guest-exit, the shred report, then closes.
    void finish(const vmm::ShredReport& report)
    {
        stopLoop();
        server->setState(vmm::MachineState::Stopped);
        vmm::GuestExitEvent exited {"host-request", 0, "stop requested by the app"};
        [[maybe_unused]] auto sent = server->sendNow(exited.toFrame(), std::chrono::seconds(5));
        vmm::ShredReportEvent shred;
        shred.report = nlohmann::json::parse(report.toJson(-1));
        sent = server->sendNow(shred.toFrame(), std::chrono::seconds(5));
        server->close();
    }

    std::unique_ptr<vmm::ControlServer> server;

private:
    void stopLoop()
    {
        if (!m_thread.joinable())
            return;
        m_stopping = true;
        m_loop->post([] {});
        m_thread.join();
        server->detach();
    }

    vmm::UniqueFd m_appSide;
    std::optional<vmm::EventLoop> m_loop;
    std::atomic<bool> m_stopping {false};
    std::thread m_thread;
};

/// A launch whose "engine" is `script` run by /bin/sh (as a wrapper, so airlock-vmm's flags
/// become the script's unused arguments).
app::EngineLaunch scriptLaunch(const QStringList& wrapper)
{
    app::EngineLaunch launch;
    launch.vmmPath = QStringLiteral("/nonexistent/airlock-vmm");
    launch.kernelPath = QStringLiteral("/nonexistent/bzImage");
    launch.memoryMiB = 256;
    launch.wrapperPrefix = wrapper;
    return launch;
}
} // namespace

class EngineSessionTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { qRegisterMetaType<app::EngineState>(); }

    void theEnginesStatesBecomeStateChangesAndPauseResumeReachTheMachine()
    {
        FakeTarget target;
        FakeEngine engine(target);
        app::EngineSession session;
        StateRecorder recorder(session);
        QVERIFY(session.attach(engine.takeAppSide()));
        QTRY_COMPARE(session.state(), EngineState::Running);

        auto paused = session.pause();
        QTRY_COMPARE(session.state(), EngineState::Paused);
        QVERIFY(paused.result().has_value());
        QVERIFY(target.paused.load());
        QVERIFY2(!session.pause().result(), "a paused session cannot be paused again");

        session.resume();
        QTRY_COMPARE(session.state(), EngineState::Running);
        QVERIFY(!target.paused.load());
        QCOMPARE(recorder.states,
            (QList<EngineState> {EngineState::Running, EngineState::Paused, EngineState::Running}));
    }

    void consoleBytesGoBothWays()
    {
        FakeTarget target;
        FakeEngine engine(target);
        app::EngineSession session;
        QSignalSpy output(&session, &app::EngineSession::consoleOutput);
        QVERIFY(session.attach(engine.takeAppSide()));
        QTRY_COMPARE(session.state(), EngineState::Running);

        const std::string prompt = "\x1b[1;32mguest$\x1b[0m ";
        engine.server->consoleOutput(
            std::span(reinterpret_cast<const uint8_t*>(prompt.data()), prompt.size()));
        QTRY_VERIFY(!output.isEmpty());
        QByteArray received;
        for (const QList<QVariant>& chunk : output)
            received += chunk.at(0).toByteArray();
        QCOMPARE(received, QByteArray::fromStdString(prompt));

        session.sendConsoleInput("ls /datasets\n");
        session.sendConsoleInput(QByteArray(100 * 1024, 'x')); // more than one frame's worth
        QTRY_COMPARE(target.receivedInput().size(), size_t(13 + 100 * 1024));
        QCOMPARE(target.receivedInput().substr(0, 13), std::string("ls /datasets\n"));
    }

    void metricsArriveOnceASecondAndFillTheHistory()
    {
        FakeTarget target;
        FakeEngine engine(target);
        app::EngineSession session;
        QSignalSpy sampled(&session, &app::EngineSession::metricsSampled);
        QVERIFY(session.attach(engine.takeAppSide()));
        QVERIFY(sampled.wait(3000));
        auto sample = sampled.first().first().value<app::MetricsSample>();
        QCOMPARE(sample.vcpuTimeNs.value(1), quint64(2000));
        QCOMPARE(sample.scratchBytesWritten, quint64(512));
        QVERIFY2(!sample.guestMemoryUsedBytes, "the fake has no guest agent: no memory, no zero");
        QVERIFY(session.metricsHistory().size() >= 1);
    }

    void stopEndsInEndedWithTheEnginesShredReport()
    {
        FakeTarget target;
        FakeEngine engine(target);
        app::EngineSession session;
        StateRecorder recorder(session);
        QSignalSpy reports(&session, &app::EngineSession::shredReport);
        QSignalSpy exited(&session, &app::EngineSession::guestExited);
        QVERIFY(session.attach(engine.takeAppSide()));
        QTRY_COMPARE(session.state(), EngineState::Running);

        session.stop();
        QCOMPARE(session.state(), EngineState::Stopping);
        QTRY_COMPARE(target.stopCalls().size(), size_t(1));
        QCOMPARE(target.stopCalls().front().force, false);

        engine.finish(3, oneItemReport());
        QTRY_COMPARE(session.state(), EngineState::Ended);
        QCOMPARE(recorder.states,
            (QList<EngineState> {EngineState::Running, EngineState::Stopping,
                EngineState::Shredding, EngineState::Ended}));
        QCOMPARE(exited.size(), 1);
        QCOMPARE(exited.first().first().toInt(), 3);
        QCOMPARE(reports.size(), 1);
        QJsonObject report = reports.first().first().toJsonObject();
        QCOMPARE(report.value("abandoned").toBool(), false);
        QCOMPARE(report.value("succeeded").toBool(), true);
        QCOMPARE(report.value("items").toArray().first().toObject().value("what").toString(),
            QStringLiteral("scratch key"));
        QVERIFY2(!session.stop().result(), "an ended session cannot be stopped again");
    }

    void aMalformedFrameFailsTheSessionWithAClearReason()
    {
        int pair[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
        vmm::UniqueFd vmmSide(pair[1]);
        app::EngineSession session;
        StateRecorder recorder(session);
        QSignalSpy reports(&session, &app::EngineSession::shredReport);
        QVERIFY(session.attach(vmm::UniqueFd(pair[0])));

        // A "VMM" that says hello properly and runs, then sends bytes that are no frame at all.
        auto sendBytes = [&](const std::vector<uint8_t>& bytes) {
            return ::send(vmmSide.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                ssize_t(bytes.size());
        };
        vmm::Hello hello {"airlock-control", vmm::kControlProtocolVersion, "hostile"};
        QVERIFY(sendBytes(*vmm::FrameEncoder::encode(hello.toFrame())));
        QVERIFY(sendBytes(*vmm::FrameEncoder::encode(vmm::StateEvent {}.toFrame())));
        QTRY_COMPARE(session.state(), EngineState::Running);
        std::string garbage = "XY this is not a frame, and never will be.";
        QVERIFY(sendBytes(std::vector<uint8_t>(garbage.begin(), garbage.end())));

        QTRY_COMPARE(session.state(), EngineState::Failed);
        QVERIFY2(
            session.stateReason().contains("does not accept"), qPrintable(session.stateReason()));
        QCOMPARE(reports.size(), 1);
        QCOMPARE(reports.first().first().toJsonObject().value("abandoned").toBool(), true);
        QVERIFY(!session.pause().result());
    }

    void aVanishedEngineIsShreddedForItAndFails()
    {
        QTemporaryDir root;
        QString directory = root.filePath("session");
        QVERIFY(QDir().mkpath(directory));
        QFile scratch(directory + "/scratch.img");
        QVERIFY(scratch.open(QIODevice::WriteOnly));
        scratch.write(QByteArray(64 * 1024, 'S'));
        scratch.close();

        FakeTarget target;
        auto engine = std::make_unique<FakeEngine>(target);
        app::EngineSession session;
        StateRecorder recorder(session);
        QSignalSpy reports(&session, &app::EngineSession::shredReport);
        QVERIFY(session.attach(engine->takeAppSide(), directory));
        QTRY_COMPARE(session.state(), EngineState::Running);

        engine.reset(); // gone, without a shred report
        QTRY_COMPARE(session.state(), EngineState::Failed);
        QCOMPARE(recorder.states,
            (QList<EngineState> {
                EngineState::Running, EngineState::Shredding, EngineState::Failed}));
        QVERIFY2(session.stateReason().contains("without a shred report"),
            qPrintable(session.stateReason()));
        QCOMPARE(reports.size(), 1);
        QJsonObject report = reports.first().first().toJsonObject();
        QCOMPARE(report.value("abandoned").toBool(), true);
        QVERIFY(report.value("cause").toString().contains("without a shred report"));
        QVERIFY2(!QFileInfo::exists(directory), "the session directory must be gone");
        QVERIFY(!report.value("items").toArray().isEmpty());
    }

    void aStopBeforeTheHelloWaitsForItAndKeepsTheEnginesReport()
    {
        FakeTarget target;
        SlowEngine engine(target);
        app::EngineSession session;
        StateRecorder recorder(session);
        QSignalSpy reports(&session, &app::EngineSession::shredReport);
        QVERIFY(session.attach(engine.takeAppSide()));

        auto stopped = session.stop();
        QCOMPARE(session.state(), EngineState::Stopping);
        QVERIFY2(!stopped.isFinished(), "the stop waits for the engine's hello");

        engine.start();
        QTRY_COMPARE(target.stopCalls().size(), size_t(1));
        QCOMPARE(target.stopCalls().front().force, false);
        QTRY_VERIFY(stopped.isFinished());
        QVERIFY(stopped.result().has_value());

        engine.finish(oneItemReport());
        QTRY_COMPARE(session.state(), EngineState::Ended);
        QCOMPARE(recorder.states,
            (QList<EngineState> {
                EngineState::Stopping, EngineState::Shredding, EngineState::Ended}));
        QCOMPARE(reports.size(), 1);
        QCOMPARE(reports.first().first().toJsonObject().value("abandoned").toBool(), false);
    }

    void aForceStopBeforeTheHelloIsSentForcedOnce()
    {
        FakeTarget target;
        SlowEngine engine(target);
        app::EngineSession session;
        QVERIFY(session.attach(engine.takeAppSide()));
        session.stop();
        session.stop(true); // the clean stop's grace ran out while the engine still started

        engine.start();
        QTRY_COMPARE(target.stopCalls().size(), size_t(1));
        QCOMPARE(target.stopCalls().front().force, true);
        engine.finish(oneItemReport());
        QTRY_COMPARE(session.state(), EngineState::Ended);
    }

    void theHelloTimeoutIsTheCallers()
    {
        int pair[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
        vmm::UniqueFd silentEngine(pair[1]); // never answers the hello
        std::atomic<bool> closed {false};
        app::EngineChannel::Callbacks callbacks;
        callbacks.connected = [](std::shared_ptr<vmm::ControlClient>) {
        };
        callbacks.event = [](vmm::Frame) {
        };
        callbacks.closed = [&closed](std::string) {
            closed = true;
        };
        QElapsedTimer timer;
        timer.start();
        app::EngineChannel channel(
            vmm::UniqueFd(pair[0]), std::move(callbacks), std::chrono::milliseconds(300));
        // Far sooner than the 15 s default: the channel used the caller's limit.
        QTRY_VERIFY_WITH_TIMEOUT(closed.load(), 5000);
        QVERIFY(timer.elapsed() >= 250);
    }

    void theEnginesOutputLinesReachTheLogAndItsLastWordsTheReason()
    {
        app::EngineSession session;
        QSignalSpy lines(&session, &app::EngineSession::logLine);
        QVERIFY(session.start(scriptLaunch({QStringLiteral("/bin/sh"), QStringLiteral("-c"),
            QStringLiteral("echo 'airlock-vmm: opening /dev/kvm' >&2; "
                           "echo 'airlock-vmm: error: KVM_CREATE_VM failed' >&2; exit 3"),
            QStringLiteral("sh")})));
        QTRY_COMPARE(session.state(), EngineState::Failed);
        QStringList logged;
        for (const QList<QVariant>& line : std::as_const(lines))
            logged << line.first().toString();
        QCOMPARE(logged,
            (QStringList {QStringLiteral("airlock-vmm: opening /dev/kvm"),
                QStringLiteral("airlock-vmm: error: KVM_CREATE_VM failed")}));
        QVERIFY2(session.stateReason().contains("KVM_CREATE_VM failed"),
            qPrintable(session.stateReason()));
    }

    void aBrokenKvmLabIsNamedAsTheCause()
    {
        QTemporaryDir root;
        QString lab = root.filePath("source/tests/lab/run");
        QVERIFY(QDir().mkpath(QFileInfo(lab).absolutePath()));
        QFile script(lab);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write("#!/bin/sh\necho 'lab: starting the KVM lab'\n"
                     "echo 'lab: the emulated host did not boot'\nexit 125\n");
        script.close();
        QVERIFY(script.setPermissions(script.permissions() | QFileDevice::ExeOwner));

        app::EngineSession session;
        QSignalSpy lines(&session, &app::EngineSession::logLine);
        QVERIFY(session.start(scriptLaunch({lab})));
        QTRY_COMPARE(session.state(), EngineState::Failed);
        QVERIFY2(session.stateReason().contains("KVM lab"), qPrintable(session.stateReason()));
        QVERIFY2(session.stateReason().contains("the emulated host did not boot"),
            qPrintable(session.stateReason()));
        QVERIFY2(!session.stateReason().contains("status 125"), qPrintable(session.stateReason()));
        QCOMPARE(lines.size(), 2);
    }
};

QTEST_GUILESS_MAIN(EngineSessionTest)
#include "tst_engine_session.moc"
