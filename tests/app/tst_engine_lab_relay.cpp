// A whole session through the KVM lab, from this machine: tests/lab/run boots the emulated KVM
// host, airlock-relay carries the control channel across its virtio-serial port, and the app
// side sees airlock-vmm's hello (sent long after the app's own, which waited in the socket), the
// guest's console output, the guest's exit status and the shred report, and the lab exits with
// the guest's status. Slow (a lab boot): runs only with AIRLOCK_TEST_LAB_RELAY=1, SKIPPED
// otherwise. Prints how long the lab took to the engine's hello.

#include "EngineLaunch.h"
#include "EngineProcess.h"
#include "control/ControlClient.h"
#include "control/ControlEvents.h"

#include <cstdio>
#include <future>
#include <unistd.h>

#include <sys/socket.h>

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace std::chrono_literals;

class EngineLabRelayTest : public QObject {
    Q_OBJECT

private slots:
    void aSessionRunsThroughTheLabsRelay()
    {
        if (!QFile::exists(QStringLiteral(AIRLOCK_GUEST_KERNEL)) ||
            !QFile::exists(QStringLiteral(AIRLOCK_GUEST_INITRAMFS)))
            QSKIP("no guest kernel or initramfs in this build (AIRLOCK_GUEST_KERNEL)");
        QTemporaryDir directory;
        QVERIFY(directory.isValid());

        app::EngineLaunch launch;
        launch.vmmPath = QStringLiteral(AIRLOCK_VMM);
        launch.kernelPath = QStringLiteral(AIRLOCK_GUEST_KERNEL);
        launch.initramfsPath = QStringLiteral(AIRLOCK_GUEST_INITRAMFS);
        launch.memoryMiB = 256;
        launch.sessionDirectory = directory.filePath("session");
        launch.command = {"sh", "-c", "echo lab-relay-console-ok; exit 3"};
        launch.wrapperPrefix = {QStringLiteral(AIRLOCK_SOURCE_DIR "/tests/lab/run")};
        launch.throughLab = true;
        QVERIFY(launch.validate());

        int pair[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
        vmm::UniqueFd appSide(pair[0]);
        app::EngineProcess process;
        QStringList log;
        connect(&process, &app::EngineProcess::outputLine, this,
            [&log](const QString& line) { log << line; });
        QSignalSpy finished(&process, &app::EngineProcess::finished);
        QElapsedTimer clock;
        clock.start();
        auto started = process.start(launch, pair[1]);
        ::close(pair[1]);
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));

        // The hello (and the whole session) on a thread: the lab's output is read meanwhile.
        auto session = std::async(std::launch::async, [&]() -> QString {
            auto client = vmm::ControlClient::create(std::move(appSide), launch.helloTimeout());
            if (!client)
                return QStringLiteral("no hello: ") +
                    QString::fromStdString(client.error().message());
            qInfo("the engine's hello came through the lab after %.1f s",
                double(clock.elapsed()) / 1000.0);
            QByteArray console;
            int exitCode = -1;
            bool shredded = false;
            while (!shredded) {
                auto event = (*client)->nextEvent(120s);
                if (!event || !*event)
                    return QStringLiteral("channel ended before the shred report; console: ") +
                        QString::fromUtf8(console);
                const vmm::Frame& frame = **event;
                if (vmm::isKind(frame, vmm::ControlKind::ConsoleOutputBytes))
                    console.append(reinterpret_cast<const char*>(frame.payload.data()),
                        qsizetype(frame.payload.size()));
                else if (vmm::isKind(frame, vmm::ControlKind::GuestExit))
                    exitCode = frame.header.value("exitCode", -1);
                else if (vmm::isKind(frame, vmm::ControlKind::ShredReport))
                    shredded = true;
            }
            if (!console.contains("lab-relay-console-ok"))
                return QStringLiteral("console: ") + QString::fromUtf8(console);
            return exitCode == 3 ? QString() : QStringLiteral("guest exit %1").arg(exitCode);
        });
        QTRY_VERIFY_WITH_TIMEOUT(session.wait_for(0s) == std::future_status::ready, 600000);
        QString problem = session.get();
        QVERIFY2(problem.isEmpty(), qPrintable(problem + "\n" + log.join('\n')));
        QVERIFY(finished.count() > 0 || finished.wait(120000));
        QCOMPARE(finished.first().at(0).toInt(), 3); // the lab exits with airlock-vmm's status
        qInfo("the whole lab session took %.1f s", double(clock.elapsed()) / 1000.0);
    }
};

// ctest's SKIP_RETURN_CODE (77): reported as skipped, not passed, when not asked for.
int main(int argc, char** argv)
{
    if (qEnvironmentVariable("AIRLOCK_TEST_LAB_RELAY") != QLatin1String("1")) {
        std::puts("SKIPPED: boots the KVM lab (a minute or more); set AIRLOCK_TEST_LAB_RELAY=1");
        return 77;
    }
    QCoreApplication application(argc, argv);
    EngineLabRelayTest test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_engine_lab_relay.moc"
