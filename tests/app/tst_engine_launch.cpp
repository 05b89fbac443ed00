// EngineSession::start(): airlock-vmm's command line, and real child processes playing it: a
// fake engine that speaks the control protocol on the inherited --control-fd (Starting →
// Running → Stopping → Shredding → Ended), an engine that cannot start (exit status 1 and its
// message in the reason), and an engine killed with SIGKILL (the app shreds what it left and
// the report says the engine was killed).

#include "EngineSession.h"

#include <csignal>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using app::EngineState;

namespace {
class Recorder : public QObject {
public:
    explicit Recorder(app::EngineSession& session)
    {
        connect(&session, &app::EngineSession::stateChanged, this,
            [this](app::EngineState state, const QString&) { states.append(state); });
    }
    QList<app::EngineState> states;
};

app::EngineLaunch fakeLaunch(const QString& sessionDirectory)
{
    app::EngineLaunch launch;
    launch.vmmPath = QStringLiteral(AIRLOCK_FAKE_VMM);
    launch.kernelPath = QStringLiteral("/nonexistent/bzImage"); // the fake never reads it
    launch.sessionDirectory = sessionDirectory;
    launch.command = {QStringLiteral("sh")};
    return launch;
}
} // namespace

class EngineLaunchTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

private slots:
    void initTestCase() { qRegisterMetaType<app::EngineState>(); }

    void theCommandLineSaysWhatTheSessionIs()
    {
        app::EngineLaunch launch;
        launch.vmmPath = "/opt/airlock/airlock-vmm";
        launch.kernelPath = "/k/bzImage";
        launch.initramfsPath = "/k/initramfs.cpio";
        launch.vcpus = 2;
        launch.memoryMiB = 1024;
        launch.datasets = {{"scans", "/data/scans 2024"}};
        launch.scratchMiB = 256;
        launch.sessionDirectory = "/run/user/1000/airlock/s1";
        launch.command = {"python3", "-c", "print(1)"};
        QVERIFY(launch.validate());
        QCOMPARE(launch.program(), QStringLiteral("/opt/airlock/airlock-vmm"));
        QCOMPARE(launch.arguments(5),
            (QStringList {"--kernel", "/k/bzImage", "--initramfs", "/k/initramfs.cpio", "--cpus",
                "2", "--memory", "1024M", "--dataset", "scans=/data/scans 2024", "--scratch",
                "256M", "--session-dir", "/run/user/1000/airlock/s1", "--control-fd", "5", "--",
                "python3", "-c", "print(1)"}));

        launch.wrapperPrefix = {"/src/tests/lab/run", "--"};
        QCOMPARE(launch.program(), QStringLiteral("/src/tests/lab/run"));
        QCOMPARE(launch.arguments(5).mid(0, 2), (QStringList {"--", "/opt/airlock/airlock-vmm"}));
    }

    // The screen: its size, the command on it, other viewers with a password that never
    // appears on the command line (ps shows that), only in the environment.
    void aScreenOnTheCommandLineAndItsPasswordInTheEnvironment()
    {
        app::EngineLaunch launch = fakeLaunch("/run/s2");
        launch.displaySize = QSize(1920, 1080);
        launch.commandOnDisplay = true;
        launch.displayTcp = true;
        launch.displayPassword = "Kp4TzQm9";
        QVERIFY(launch.validate());
        QStringList arguments = launch.arguments(7);
        qsizetype display = arguments.indexOf(QStringLiteral("--display"));
        QVERIFY(display >= 0);
        QCOMPARE(arguments.at(display + 1), QStringLiteral("1920x1080"));
        QVERIFY(arguments.contains(QStringLiteral("--command-on-display")));
        QCOMPARE(arguments.at(arguments.indexOf(QStringLiteral("--display-tcp")) + 1), QStringLiteral("0"));
        QVERIFY2(!arguments.join(u' ').contains(QStringLiteral("Kp4TzQm9")), "the password is on the command line");
        // Everything before "--" is airlock-vmm's; the guest command stays last.
        QVERIFY(arguments.indexOf(QStringLiteral("--display")) < arguments.indexOf(QStringLiteral("--")));
        QProcessEnvironment environment = launch.environment(7, QProcessEnvironment());
        QCOMPARE(environment.value(QStringLiteral("AIRLOCK_DISPLAY_PASSWORD")), QStringLiteral("Kp4TzQm9"));

        // Without other viewers a password inherited from the caller's environment is dropped.
        launch.displayTcp = false;
        QProcessEnvironment inherited;
        inherited.insert(QStringLiteral("AIRLOCK_DISPLAY_PASSWORD"), QStringLiteral("leaked"));
        QVERIFY(!launch.environment(7, inherited).contains(QStringLiteral("AIRLOCK_DISPLAY_PASSWORD")));
        QVERIFY(!launch.arguments(7).contains(QStringLiteral("--display-tcp")));

        // No screen: no display options at all, and the command cannot be put on one.
        launch.displaySize = QSize();
        QVERIFY(!launch.validate());
        launch.commandOnDisplay = false;
        QVERIFY(launch.validate());
        QVERIFY(!launch.arguments(7).contains(QStringLiteral("--display")));
    }

    void aLaunchThatCannotWorkSaysWhatToFix()
    {
        app::EngineLaunch launch = fakeLaunch({});
        launch.vmmPath.clear();
        QVERIFY(launch.validate().error().message.contains("AIRLOCK_VMM"));
        launch = fakeLaunch({});
        launch.vcpus = 0;
        QVERIFY(launch.validate().error().message.contains("vCPUs"));
        launch = fakeLaunch({});
        launch.datasets = {{"a=b", "/tmp"}};
        QVERIFY(!launch.validate());
        launch = fakeLaunch({});
        launch.scratchMiB = 64;
        launch.sessionDirectory.clear();
        QVERIFY(launch.validate().error().message.contains("session directory"));
    }

    void aFakeEngineRunsAndStopsCleanly()
    {
        QString sessionDirectory = m_directory.filePath("clean");
        app::EngineSession session;
        Recorder recorder(session);
        QSignalSpy reports(&session, &app::EngineSession::shredReport);
        auto started = session.start(fakeLaunch(sessionDirectory));
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
        QVERIFY(session.processId() > 0);
        QTRY_COMPARE(session.state(), EngineState::Running);
        QVERIFY(QFileInfo::exists(sessionDirectory + "/scratch.img"));

        session.stop();
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), EngineState::Ended, 10000);
        QCOMPARE(recorder.states,
            (QList<EngineState> {EngineState::Running, EngineState::Stopping,
                EngineState::Shredding, EngineState::Ended}));
        QCOMPARE(reports.size(), 1);
        QCOMPARE(reports.first().first().toJsonObject().value("abandoned").toBool(), false);
        QVERIFY(!QFileInfo::exists(sessionDirectory));
    }

    void anEngineThatCannotStartFailsWithItsMessage()
    {
        QString script = m_directory.filePath("no-kvm.sh");
        QFile file(script);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("#!/bin/sh\necho 'airlock-vmm: error: open /dev/kvm: No such file or "
                   "directory' >&2\nexit 1\n");
        file.close();
        QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::ExeOwner));

        app::EngineLaunch launch = fakeLaunch(m_directory.filePath("never"));
        launch.vmmPath = script;
        app::EngineSession session;
        Recorder recorder(session);
        QSignalSpy reports(&session, &app::EngineSession::shredReport);
        QVERIFY(session.start(launch));
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), EngineState::Failed, 20000);
        QCOMPARE(
            recorder.states, (QList<EngineState> {EngineState::Shredding, EngineState::Failed}));
        QVERIFY2(session.stateReason().contains("could not start") &&
                session.stateReason().contains("/dev/kvm"),
            qPrintable(session.stateReason()));
        QCOMPARE(reports.size(), 1);
    }

    void aMissingEngineIsRefusedAtOnce()
    {
        app::EngineLaunch launch = fakeLaunch({});
        launch.vmmPath = m_directory.filePath("no-such-engine");
        app::EngineSession session;
        auto started = session.start(launch);
        QVERIFY(!started);
        QVERIFY(started.error().message.contains("no-such-engine"));
    }

    void anEngineKilledWithSigkillIsShreddedForIt()
    {
        QString sessionDirectory = m_directory.filePath("killed");
        app::EngineSession session;
        Recorder recorder(session);
        QSignalSpy reports(&session, &app::EngineSession::shredReport);
        QVERIFY(session.start(fakeLaunch(sessionDirectory)));
        QTRY_COMPARE(session.state(), EngineState::Running);
        QVERIFY(QFileInfo::exists(sessionDirectory + "/scratch.img"));

        QCOMPARE(::kill(pid_t(session.processId()), SIGKILL), 0);
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), EngineState::Failed, 10000);
        QCOMPARE(recorder.states,
            (QList<EngineState> {
                EngineState::Running, EngineState::Shredding, EngineState::Failed}));
        QVERIFY2(session.stateReason().contains("killed by signal 9 (SIGKILL)"),
            qPrintable(session.stateReason()));
        QCOMPARE(reports.size(), 1);
        QJsonObject report = reports.first().first().toJsonObject();
        QCOMPARE(report.value("abandoned").toBool(), true);
        QVERIFY(report.value("cause").toString().contains("SIGKILL"));
        QVERIFY2(!QFileInfo::exists(sessionDirectory), "what the engine left must be shredded");
    }
};

QTEST_GUILESS_MAIN(EngineLaunchTest)
#include "tst_engine_launch.moc"
