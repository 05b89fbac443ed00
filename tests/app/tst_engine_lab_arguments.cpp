// Sessions through the KVM lab: the lab's command line and environment (the control channel's
// number, the relay next to airlock-vmm, a lab sized for the session, the user's own lab settings
// kept), a longer hello wait in the lab, and a lab that ends badly (timed out: 124, failed: 125)
// turned into a plain reason with the lab's own words, while a direct engine's 124 is not.

#include "EngineLaunch.h"
#include "EngineLocator.h"
#include "EngineProcess.h"

#include <unistd.h>

#include <sys/socket.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace std::chrono_literals;

namespace {
app::EngineLaunch labLaunch()
{
    app::EngineLaunch launch;
    launch.vmmPath = "/opt/airlock/airlock-vmm";
    launch.kernelPath = "/k/bzImage";
    launch.initramfsPath = "/k/initramfs.cpio";
    launch.vcpus = 1;
    launch.memoryMiB = 1024;
    launch.scratchMiB = 256;
    launch.command = {"sh"};
    launch.wrapperPrefix = {"/src/tests/lab/run"};
    launch.throughLab = true;
    return launch;
}

// A stand-in for tests/lab/run: says what it got, then ends as a lab does.
QString writeFakeLab(const QTemporaryDir& directory, int exitStatus, const QString& lastLine)
{
    QString path = directory.filePath(QStringLiteral("fake-lab-%1").arg(exitStatus));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(
        QStringLiteral("#!/bin/sh\n"
                       "echo 'lab: no usable /dev/kvm here: running in the KVM lab' >&2\n"
                       "case $(readlink /proc/$$/fd/$AIRLOCK_LAB_CONTROL_FD) in\n"
                       "socket:*) echo \"control fd $AIRLOCK_LAB_CONTROL_FD is a socket\" ;;\n"
                       "esac\n"
                       "echo \"$1 ... --control-fd $AIRLOCK_LAB_CONTROL_FD\"\n"
                       "echo '%1' >&2\n"
                       "exit %2\n")
            .arg(lastLine)
            .arg(exitStatus)
            .toUtf8());
    file.close();
    file.setPermissions(file.permissions() | QFileDevice::ExeOwner);
    return path;
}

struct Ended {
    int code = -1;
    QStringList lines;
};

// Runs `launch` with a real socketpair end as its control channel until it exits.
Ended runToTheEnd(app::EngineProcess& process, const app::EngineLaunch& launch)
{
    Ended ended;
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        return ended;
    QObject::connect(&process, &app::EngineProcess::outputLine, &process,
        [&ended](const QString& line) { ended.lines << line; });
    QSignalSpy finished(&process, &app::EngineProcess::finished);
    auto started = process.start(launch, pair[1]);
    ::close(pair[1]);
    if (started && (finished.count() > 0 || finished.wait(10000)))
        ended.code = finished.first().at(0).toInt();
    ::close(pair[0]);
    return ended;
}
} // namespace

class EngineLabArgumentsTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

private slots:
    void theLabRunsTheSameEngineCommandLine()
    {
        app::EngineLaunch launch = labLaunch();
        QVERIFY(launch.runsInLab());
        QCOMPARE(launch.program(), QStringLiteral("/src/tests/lab/run"));
        QCOMPARE(launch.arguments(7),
            (QStringList {"/opt/airlock/airlock-vmm", "--kernel", "/k/bzImage", "--initramfs",
                "/k/initramfs.cpio", "--cpus", "1", "--memory", "1024M", "--scratch", "256M",
                "--control-fd", "7", "--", "sh"}));
    }

    void theLabEnvironmentCarriesTheChannelAndSizesTheLab()
    {
        QProcessEnvironment base;
        base.insert("HOME", "/home/someone");
        QProcessEnvironment environment = labLaunch().environment(7, base);
        QCOMPARE(environment.value("AIRLOCK_LAB_CONTROL_FD"), QStringLiteral("7"));
        QCOMPARE(
            environment.value("AIRLOCK_LAB_RELAY"), QStringLiteral("/opt/airlock/airlock-relay"));
        // guest memory + scratch (its writes stay in the lab's memory) + the lab's own 1 GiB
        QCOMPARE(environment.value("AIRLOCK_LAB_MEMORY"), QStringLiteral("2304M"));
        QCOMPARE(environment.value("AIRLOCK_LAB_CPUS"), QStringLiteral("2"));
        // the default lab limit (40 minutes) would end a long session: a day instead
        QCOMPARE(environment.value("AIRLOCK_LAB_TIMEOUT"), QStringLiteral("86400"));
        QCOMPARE(environment.value("HOME"), QStringLiteral("/home/someone"));
    }

    void theUsersOwnLabSettingsWin()
    {
        QProcessEnvironment base;
        base.insert("AIRLOCK_LAB_TIMEOUT", "600");
        base.insert("AIRLOCK_LAB_MEMORY", "8G");
        base.insert("AIRLOCK_LAB_CONTROL_FD", "99"); // stale: the channel's number always wins
        QProcessEnvironment environment = labLaunch().environment(5, base);
        QCOMPARE(environment.value("AIRLOCK_LAB_TIMEOUT"), QStringLiteral("600"));
        QCOMPARE(environment.value("AIRLOCK_LAB_MEMORY"), QStringLiteral("8G"));
        QCOMPARE(environment.value("AIRLOCK_LAB_CONTROL_FD"), QStringLiteral("5"));
    }

    void aLabWrapperIsRecognisedByItsPathAlone()
    {
        app::EngineLaunch launch = labLaunch();
        launch.throughLab = false; // a caller that copied only EngineLocation::wrapperPrefix
        QVERIFY(launch.runsInLab());
        QVERIFY(launch.environment(4, {}).contains("AIRLOCK_LAB_CONTROL_FD"));
    }

    void aDirectEngineGetsItsEnvironmentUntouchedAndAShortHelloWait()
    {
        app::EngineLaunch launch = labLaunch();
        launch.wrapperPrefix.clear();
        launch.throughLab = false;
        QVERIFY(!launch.runsInLab());
        QProcessEnvironment base;
        base.insert("HOME", "/home/someone");
        QCOMPARE(launch.environment(7, base), base);
        // the lab boots an emulated host (30-60 s, more when busy) before airlock-vmm says hello
        QCOMPARE(launch.helloTimeout(), 15000ms);
        QVERIFY(labLaunch().helloTimeout() >= 180000ms);
    }

    void aLabTimeoutIsSaidPlainlyWithTheLabsReason()
    {
        app::EngineLaunch launch = labLaunch();
        launch.wrapperPrefix = {writeFakeLab(m_directory, 124,
            "lab: timed out after 86400 s (AIRLOCK_LAB_TIMEOUT): QEMU was killed")};
        app::EngineProcess process;
        Ended ended = runToTheEnd(process, launch);
        QCOMPARE(ended.code, 124);
        // the lab got the channel as a socket under the number its environment names
        QVERIFY2(ended.lines.filter("is a socket").size() == 1, qPrintable(ended.lines.join('\n')));
        QVERIFY(ended.lines.contains(
            "lab: timed out after 86400 s (AIRLOCK_LAB_TIMEOUT): QEMU was killed"));
        QString reason = process.labFailure(ended.code);
        QVERIFY2(reason.contains("KVM lab") && reason.contains("timed out") &&
                reason.contains("QEMU was killed") && reason.contains("AIRLOCK_LAB_TIMEOUT"),
            qPrintable(reason));
    }

    void aBrokenLabSaysItFailedAndWhy()
    {
        app::EngineLaunch launch = labLaunch();
        launch.wrapperPrefix = {writeFakeLab(
            m_directory, 125, "lab: /dev/kvm is missing in the lab: kvm_amd did not load")};
        app::EngineProcess process;
        Ended ended = runToTheEnd(process, launch);
        QCOMPARE(ended.code, 125);
        QString reason = process.labFailure(ended.code);
        QVERIFY2(reason.contains("failed to boot") && reason.contains("kvm_amd did not load") &&
                !reason.contains("no usable /dev/kvm"),
            qPrintable(reason));
        QVERIFY(process.labFailure(3).isEmpty()); // the guest's own status is not the lab's
    }

    void theLocatorFindsTheRelayOrSaysToBuildIt()
    {
        QTemporaryDir root;
        auto make = [&root](const QString& relative, bool executable) {
            QString path = root.filePath(relative);
            QDir().mkpath(QFileInfo(path).absolutePath());
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("#!/bin/sh\n");
            file.close();
            if (executable)
                file.setPermissions(file.permissions() | QFileDevice::ExeOwner);
        };
        make("build/vmm/tools/airlock-vmm", true);
        make("build/guest/initramfs.cpio", false);
        make("kernel/bzImage", false);
        make("source/tests/lab/run", true);
        app::EngineLocator::Inputs inputs;
        inputs.buildDirectory = root.filePath("build");
        inputs.sourceDirectory = root.filePath("source");
        inputs.configuredKernel = root.filePath("kernel/bzImage");
        inputs.kvmDevice = root.filePath("no-such-kvm");

        app::EngineLocation location = app::EngineLocator::locate(inputs);
        QVERIFY(location.throughLab);
        QVERIFY(location.relayPath.isEmpty());
        QVERIFY2(location.statusMessage.contains("build airlock-relay"),
            qPrintable(location.statusMessage));

        make("build/vmm/tools/airlock-relay", true);
        location = app::EngineLocator::locate(inputs);
        QCOMPARE(location.relayPath, root.filePath("build/vmm/tools/airlock-relay"));
        QVERIFY2(location.statusMessage.contains("emulated KVM host") &&
                !location.statusMessage.contains("airlock-relay"),
            qPrintable(location.statusMessage));
    }

    void aDirectEnginesExitStatusIsNotTakenForTheLabs()
    {
        app::EngineLaunch launch = labLaunch();
        launch.throughLab = false;
        launch.wrapperPrefix.clear();
        launch.vmmPath = writeFakeLab(m_directory, 124, "lab: looks like the lab but is not");
        app::EngineProcess process;
        Ended ended = runToTheEnd(process, launch);
        QCOMPARE(ended.code, 124);
        QVERIFY(process.labFailure(ended.code).isEmpty());
    }
};

QTEST_GUILESS_MAIN(EngineLabArgumentsTest)
#include "tst_engine_lab_arguments.moc"
