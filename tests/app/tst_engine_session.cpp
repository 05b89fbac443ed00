// EngineSession against an in-process fake airlock-vmm (ControlServer and a fake machine over a
// socketpair): the engine's states become stateChanged, console bytes go both ways, metrics
// arrive once a second, pause/resume/stop reach the machine, and a session ends in Ended with
// the engine's shred report. A malformed frame or a vanished engine ends in Failed, with a
// clear reason and a shred report that says what happened, never a crash.

#include "protocol/FrameEncoder.h"
#include "protocol/Hello.h"
#include "tst_engine_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using app::EngineState;

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
};

QTEST_GUILESS_MAIN(EngineSessionTest)
#include "tst_engine_session.moc"
