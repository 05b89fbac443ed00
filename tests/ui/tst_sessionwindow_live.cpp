// The live part of a session window against an in-process fake airlock-vmm (no KVM): guest
// console bytes reach the terminal, what the user types reaches the engine, each second of
// metrics reaches the graphs, and the header's state label follows the engine.

#include "MetricsGraphSamples.h"
#include "SessionGraphs.h"
#include "SessionHeader.h"
#include "SessionLiveView.h"
#include "TerminalView.h"
#include "tst_engine_support.h"

#include <cmath>

#include <QSignalSpy>
#include <QTest>

using app::EngineState;
using ui::SessionGraphs;

class SessionWindowLiveTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { qRegisterMetaType<app::EngineState>(); }

    void consoleBytesReachTheTerminal()
    {
        FakeTarget target;
        FakeEngine engine(target);
        app::EngineSession session;
        ui::SessionLiveView view(session, QDateTime::currentDateTimeUtc());
        QVERIFY(session.attach(engine.takeAppSide()));
        QTRY_COMPARE(session.state(), EngineState::Running);

        const std::string output = "Airlock guest ready\r\n\x1b[1;32mguest$\x1b[0m ";
        engine.server->consoleOutput(
            std::span(reinterpret_cast<const uint8_t*>(output.data()), output.size()));
        QTRY_VERIFY2(view.terminal()->screenText().contains(QStringLiteral("guest$")),
            qPrintable(view.terminal()->screenText()));
        QCOMPARE(view.terminal()->screenText().section('\n', 0, 0),
            QStringLiteral("Airlock guest ready"));
        // The prompt's colour was interpreted, not printed.
        QVERIFY(!view.terminal()->screenText().contains(QStringLiteral("[1;32m")));
    }

    void typingReachesTheEngine()
    {
        FakeTarget target;
        FakeEngine engine(target);
        app::EngineSession session;
        ui::SessionLiveView view(session, QDateTime::currentDateTimeUtc());
        view.show();
        QVERIFY(session.attach(engine.takeAppSide()));
        QTRY_COMPARE(session.state(), EngineState::Running);

        QTest::keyClicks(view.terminal(), QStringLiteral("ls /datasets"));
        QTest::keyClick(view.terminal(), Qt::Key_Return);
        QTRY_COMPARE(target.receivedInput(), std::string("ls /datasets\r"));
    }

    void metricsSamplesReachTheGraphs()
    {
        FakeTarget target;
        FakeEngine engine(target);
        app::EngineSession session;
        QDateTime origin = QDateTime::currentDateTimeUtc();
        ui::SessionLiveView view(session, origin);
        QSignalSpy sampled(&session, &app::EngineSession::metricsSampled);
        QVERIFY(session.attach(engine.takeAppSide()));

        QTRY_VERIFY_WITH_TIMEOUT(sampled.size() >= 2, 5000);
        QList<double> cpu = view.graphs()->values(SessionGraphs::Series::CpuPercent);
        QCOMPARE(cpu.size(), session.metricsHistory().size());
        // The fake's vCPUs used no time between the samples: 0 %, drawn as a value, not a gap.
        QCOMPARE(cpu.last(), 0.0);
        // It has no guest agent: memory is unknown, a gap, never a zero.
        QVERIFY(std::isnan(view.graphs()->values(SessionGraphs::Series::MemoryUsedMiB).last()));
    }

    void aWindowOpenedLateShowsTheMinutesItMissed()
    {
        FakeTarget target;
        FakeEngine engine(target);
        app::EngineSession session;
        QSignalSpy sampled(&session, &app::EngineSession::metricsSampled);
        QVERIFY(session.attach(engine.takeAppSide()));
        QTRY_VERIFY_WITH_TIMEOUT(sampled.size() >= 2, 5000);

        ui::SessionLiveView view(session, QDateTime::currentDateTimeUtc());
        QCOMPARE(view.graphs()->values(SessionGraphs::Series::CpuPercent).size(),
            session.metricsHistory().size());
    }

    void theStateLabelFollowsTheEngine()
    {
        FakeTarget target;
        FakeEngine engine(target);
        app::EngineSession session;
        QDateTime started = QDateTime::currentDateTimeUtc().addSecs(-3725);
        ui::SessionHeader header(session,
            {QStringLiteral("Readmission review for study 12"), started,
                started.addSecs(8 * 3600)});
        QCOMPARE(header.stateText(), QStringLiteral("Starting"));
        QVERIFY(session.attach(engine.takeAppSide()));
        QTRY_COMPARE(header.stateText(), QStringLiteral("Running"));
        // A second may pass while the engine starts: compare down to the ten seconds.
        QVERIFY2(header.uptimeText().startsWith(QStringLiteral("Up 1:02:0")),
            qPrintable(header.uptimeText()));
        QVERIFY2(header.deadlineText().startsWith(QStringLiteral("6:57:5")),
            qPrintable(header.deadlineText()));

        session.pause();
        QTRY_COMPARE(header.stateText(), QStringLiteral("Paused"));
        session.resume();
        QTRY_COMPARE(header.stateText(), QStringLiteral("Running"));
        engine.vanish();
        QTRY_COMPARE(header.stateText(), QStringLiteral("Failed"));
        QCOMPARE(header.deadlineText(), QStringLiteral("Ended"));
    }

    void metricsPointsBecomeGraphSamplesWithGapsAndMiB()
    {
        QDateTime origin(QDate(2025, 3, 1), QTime(9, 0), Qt::UTC);
        app::MetricsPoint point = app::MetricsPoint::gap(90);
        point.cpuPercent = 37.5;
        point.memoryUsedBytes = 512.0 * 1024 * 1024;
        ui::GraphSample sample = ui::MetricsGraphSamples::fromPoint(point, origin);
        QCOMPARE(sample.time, origin.addSecs(90));
        QCOMPARE(sample.cpuPercent, std::optional<double>(37.5));
        QCOMPARE(sample.memoryUsedMiB, std::optional<double>(512.0));
        QVERIFY2(!sample.memoryTotalMiB, "an unknown value is a gap, not a zero");
        QVERIFY(!sample.load1);
    }
};

QTEST_MAIN(SessionWindowLiveTest)
#include "tst_sessionwindow_live.moc"
