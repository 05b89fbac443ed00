// Lab test: airlock-vmm driven by the app's control channel (--control-fd) under real KVM. Hello,
// status, console output on the channel (not stdout), host metrics, pause/resume, relayed vsock
// streams to the guest agent (100 MiB through sha256sum, two at once), a clean stop with
// guest-exit and shred-report events, and the VM stopping when the app goes away.

#include "LabTestMain.h"
#include "LabVmmProcess.h"
#include "control/ControlClient.h"
#include "control/ControlEvents.h"
#include "protocol/AgentClient.h"
#include "protocol/AgentProtocol.h"

#include <fcntl.h>
#include <future>
#include <signal.h>
#include <spawn.h>
#include <thread>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/wait.h>

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

extern char** environ;

using namespace std::chrono_literals;

namespace {

using labvmm::SpawnedVmm;
using labvmm::spawnVmm;
using labvmm::waitForConsole;

uint64_t vcpuTime(const vmm::HostMetrics& metrics)
{
    uint64_t total = 0;
    for (const auto& vcpu : metrics.vcpus)
        total += vcpu.cpuTimeNs;
    return total;
}

vmm::Result<vmm::ExecExited> runInGuest(vmm::ControlClient& client,
    const std::vector<std::string>& argv, int stdinFd, QByteArray& output)
{
    vmm::UniqueFd stream = VMM_TRY(client.openStream(vmm::kAgentPort, 60s));
    vmm::AgentClient agent = VMM_TRY(vmm::AgentClient::create(std::move(stream), 60s));
    vmm::ExecRequest request;
    request.argv = argv;
    request.hasStdin = stdinFd >= 0;
    return agent.exec(request, stdinFd,
        [&](vmm::AgentClient::OutputStream, std::span<const uint8_t> bytes) -> vmm::Result<void> {
            output.append(
                reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
            return {};
        });
}

} // namespace

class VmmControlTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

    QStringList sessionArguments(const QString& name) const
    {
        return {"--kernel", QStringLiteral(AIRLOCK_GUEST_KERNEL), "--initramfs",
            QStringLiteral(AIRLOCK_GUEST_INITRAMFS), "--memory", "256M", "--cpus", "2", "--scratch",
            "64M", "--session-dir", m_directory.filePath(name), "--shred-report",
            m_directory.filePath(name + "-shred.json"), "--", "sh", "-c",
            "echo control-console-ok; dd if=/dev/urandom of=/work/blob bs=1M count=4 2>/dev/null; "
            "sync; "
            "echo wrote-blob; sleep 600"};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_directory.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_KERNEL)), "no guest kernel");
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_INITRAMFS)), "no guest initramfs");
    }

    void wholeSessionOverTheControlChannel()
    {
        QString stdoutPath = m_directory.filePath("vmm-stdout.txt");
        auto vmmProcess = spawnVmm(sessionArguments("session"), stdoutPath);
        QVERIFY2(vmmProcess, "posix_spawn failed");
        auto connected =
            vmm::ControlClient::create(std::move(vmmProcess->appSide), 30s, "tst_vmm_control");
        QVERIFY2(connected, connected ? "" : connected.error().message().c_str());
        vmm::ControlClient& client = **connected;
        QCOMPARE(client.peer().software, std::string("airlock-vmm"));

        auto status = client.status();
        QVERIFY2(status, status ? "" : status.error().message().c_str());
        QCOMPARE(status->vcpus, 2u);
        QCOMPARE(status->memoryBytes, uint64_t(256) << 20);
        QCOMPARE(status->scratchBytes, uint64_t(64) << 20);
        QVERIFY2(!status->vsockPath.empty(), "no vsock socket in the status");
        QCOMPARE(status->state, vmm::MachineState::Running);

        QByteArray console;
        std::vector<vmm::Frame> others;
        QVERIFY2(waitForConsole(client, console, "wrote-blob", 180s, &others),
            console.right(3000).constData());

        auto metrics = client.metrics();
        QVERIFY2(metrics, metrics ? "" : metrics.error().message().c_str());
        QCOMPARE(metrics->vcpus.size(), size_t(2));
        QVERIFY2(metrics->vcpus[0].cpuTimeNs > 0, "vCPU 0 has used no CPU time");
        QVERIFY2(metrics->rssBytes > 0 && metrics->guestResidentBytes > 0, "no memory figures");
        auto scratch = std::find_if(metrics->disks.begin(), metrics->disks.end(),
            [](const auto& disk) { return disk.label == "scratch"; });
        QVERIFY2(scratch != metrics->disks.end(), "no scratch disk in the metrics");
        QVERIFY2(scratch->bytesWritten >= (4u << 20) && scratch->writeOperations > 0 &&
                scratch->flushes > 0,
            qPrintable(QString("scratch wrote %1 bytes in %2 operations, %3 flushes")
                           .arg(scratch->bytesWritten)
                           .arg(scratch->writeOperations)
                           .arg(scratch->flushes)));
        qInfo("metrics: vCPU time %llu ns, RSS %llu MiB (guest %llu MiB, host %llu MiB), scratch "
              "%llu bytes written",
            static_cast<unsigned long long>(vcpuTime(*metrics)),
            static_cast<unsigned long long>(metrics->rssBytes >> 20),
            static_cast<unsigned long long>(metrics->guestResidentBytes >> 20),
            static_cast<unsigned long long>(metrics->rssExcludingGuestBytes >> 20),
            static_cast<unsigned long long>(scratch->bytesWritten));

        // Paused, the vCPUs use no CPU time; resumed, the guest answers again.
        QVERIFY(client.pause());
        QCOMPARE(client.status()->state, vmm::MachineState::Paused);
        uint64_t pausedAt = vcpuTime(*client.metrics());
        std::this_thread::sleep_for(500ms);
        uint64_t pausedLater = vcpuTime(*client.metrics());
        QVERIFY2(pausedLater - pausedAt < 5'000'000,
            qPrintable(QString("%1 ns of vCPU time while paused").arg(pausedLater - pausedAt)));
        QVERIFY(client.resume());
        QCOMPARE(client.status()->state, vmm::MachineState::Running);

        // Console input reaches the guest's shell? The session command does not read it; the
        // agent does the real work below. Console input is accepted.
        std::string typed = "\n";
        QVERIFY(client.sendConsoleInput(
            {reinterpret_cast<const uint8_t*>(typed.data()), typed.size()}));

        // 100 MiB through a relayed stream into sha256sum in the guest.
        QByteArray data(100 << 20, Qt::Uninitialized);
        QRandomGenerator::global()->fillRange(
            reinterpret_cast<quint32*>(data.data()), data.size() / 4);
        QString input = m_directory.filePath("stdin.bin");
        {
            QFile file(input);
            QVERIFY(file.open(QIODevice::WriteOnly) && file.write(data) == data.size());
        }
        QFile stdinFile(input);
        QVERIFY(stdinFile.open(QIODevice::ReadOnly));
        QByteArray hashOutput;
        QElapsedTimer timer;
        timer.start();
        auto hashed = runInGuest(client, {"sha256sum"}, stdinFile.handle(), hashOutput);
        qint64 elapsed = timer.elapsed();
        QVERIFY2(hashed, hashed ? "" : hashed.error().message().c_str());
        QCOMPARE(hashed->exitCode.value_or(-1), 0);
        QByteArray expected = QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
        QVERIFY2(hashOutput.startsWith(expected), hashOutput.constData());
        qInfo("100 MiB through a relayed stream into sha256sum: %lld ms, %.1f MiB/s", elapsed,
            100.0 * 1000.0 / double(std::max<qint64>(elapsed, 1)));

        // Two relayed streams at once, each echoing its own bytes through cat.
        std::vector<std::future<QByteArray>> results;
        for (int stream = 0; stream < 2; ++stream) {
            results.push_back(std::async(std::launch::async, [&client, stream]() -> QByteArray {
                int pipe[2];
                if (::pipe(pipe) < 0)
                    return "pipe failed";
                QByteArray mine = QByteArray("stream-") + QByteArray::number(stream) +
                    QByteArray(3 << 20, char('a' + stream));
                std::thread writer([&] {
                    for (qsizetype sent = 0; sent < mine.size();) {
                        ssize_t count = ::write(pipe[1], mine.constData() + sent,
                            static_cast<size_t>(mine.size() - sent));
                        if (count <= 0)
                            break;
                        sent += count;
                    }
                    ::close(pipe[1]);
                });
                QByteArray back;
                auto done = runInGuest(client, {"cat"}, pipe[0], back);
                writer.join();
                ::close(pipe[0]);
                if (!done)
                    return "exec: " + QByteArray::fromStdString(done.error().message());
                return back == mine
                    ? QByteArray("ok")
                    : "stream " + QByteArray::number(stream) + " came back different";
            }));
        }
        for (auto& result : results)
            QCOMPARE(result.get(), QByteArray("ok"));

        // A clean stop: the agent shuts the guest down; guest-exit and the shred report follow.
        QVERIFY(client.stop(false));
        std::optional<vmm::GuestExitEvent> exit;
        std::optional<vmm::ShredReportEvent> shred;
        auto deadline = std::chrono::steady_clock::now() + 120s;
        while (!shred && std::chrono::steady_clock::now() < deadline) {
            auto event = client.nextEvent(1s);
            if (!event)
                break; // the channel closed
            if (!*event)
                continue;
            if ((*event)->kind == vmm::toWire(vmm::ControlKind::GuestExit))
                exit = *vmm::GuestExitEvent::fromJson((*event)->header);
            if ((*event)->kind == vmm::toWire(vmm::ControlKind::ShredReport))
                shred = *vmm::ShredReportEvent::fromJson((*event)->header);
        }
        QVERIFY2(exit, "no guest-exit event");
        QCOMPARE(QString::fromStdString(exit->kind), QString("guest-exit"));
        QCOMPARE(exit->exitCode, 0);
        QVERIFY2(shred, "no shred-report event");
        QVERIFY2(shred->report.value("succeeded", false), shred->report.dump(2).c_str());
        QCOMPARE(vmmProcess->wait(60s), 0);
        QVERIFY2(!QFileInfo::exists(m_directory.filePath("session")),
            "the session directory outlived the session");

        QFile stdoutFile(stdoutPath);
        QVERIFY(stdoutFile.open(QIODevice::ReadOnly));
        QVERIFY2(!stdoutFile.readAll().contains("control-console-ok"),
            "console bytes went to stdout in control mode");
    }

    void theAppGoingAwayStopsTheVm()
    {
        auto vmmProcess =
            spawnVmm(sessionArguments("gone"), m_directory.filePath("gone-stdout.txt"));
        QVERIFY(vmmProcess);
        {
            auto connected = vmm::ControlClient::create(std::move(vmmProcess->appSide), 30s);
            QVERIFY2(connected, connected ? "" : connected.error().message().c_str());
            QByteArray console;
            QVERIFY2(waitForConsole(**connected, console, "control-console-ok", 180s),
                console.right(2000).constData());
        } // the client closes the channel
        int status = vmmProcess->wait(60s);
        QVERIFY2(status > 0,
            qPrintable(QString("airlock-vmm ended with %1 after its app left").arg(status)));
        QVERIFY2(!QFileInfo::exists(m_directory.filePath("gone")),
            "the session directory outlived the session");
    }
};

AIRLOCK_LAB_TEST_MAIN(VmmControlTest)

#include "tst_vmm_control.moc"
