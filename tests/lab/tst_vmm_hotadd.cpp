// Lab test: a dataset added to a running session (issue 4, item 2). airlock-vmm runs with a
// control channel, one dataset and the session's grant key in its environment; the test adds a
// second folder with add-dataset and measures from sending the command to the reply (the dataset
// mounted in the guest). In the guest, /datasets/<name> lists the files with their contents and
// refuses writes; a wrong grant is refused and mounts nothing; the name cannot be taken twice;
// two adds at once: one is refused as busy; with its spare slots used the session refuses more; the
// added dataset gets its SHA-256 manifest and its check at the end like one given at the start.

#include "LabTestMain.h"
#include "LabVmmProcess.h"
#include "broker/GrantKey.h"
#include "control/ControlClient.h"
#include "control/ControlEvents.h"
#include "protocol/AgentClient.h"
#include "protocol/AgentProtocol.h"

#include <cstdlib>
#include <fcntl.h>
#include <future>
#include <set>
#include <signal.h>
#include <spawn.h>
#include <thread>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/wait.h>

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

extern char** environ;

using namespace std::chrono_literals;

namespace {

using labvmm::SpawnedVmm;
using labvmm::spawnVmm;
using labvmm::waitForConsole;

constexpr qint64 kHotAddBudgetMs = 2000;

// `script` run by sh in the guest through the agent: its exit code and output.
struct GuestRun {
    int exitCode = -1;
    QByteArray output;
    std::string error;
};

GuestRun runInGuest(vmm::ControlClient& client, const std::string& script)
{
    GuestRun run;
    auto stream = client.openStream(vmm::kAgentPort, 60s);
    if (!stream) {
        run.error = stream.error().message();
        return run;
    }
    auto agent = vmm::AgentClient::create(std::move(*stream), 60s);
    if (!agent) {
        run.error = agent.error().message();
        return run;
    }
    vmm::ExecRequest request;
    request.argv = {"sh", "-c", script};
    auto exited = agent->exec(request, -1,
        [&](vmm::AgentClient::OutputStream, std::span<const uint8_t> bytes) -> vmm::Result<void> {
            run.output.append(
                reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
            return {};
        });
    if (!exited)
        run.error = exited.error().message();
    else
        run.exitCode = exited->exitCode.value_or(-1);
    return run;
}

std::string hex(std::span<const uint8_t> bytes)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    for (uint8_t byte : bytes) {
        text += kDigits[byte >> 4];
        text += kDigits[byte & 15];
    }
    return text;
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

class VmmHotAddTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;
    vmm::GrantKey m_key {};

private slots:
    void initTestCase()
    {
        QVERIFY(m_directory.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_KERNEL)), "no guest kernel");
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_INITRAMFS)), "no guest initramfs");
        for (uint8_t& byte : m_key)
            byte = static_cast<uint8_t>(QRandomGenerator::global()->bounded(256));
    }

    void datasetAddedToARunningSessionIsMountedReadOnly()
    {
        QDir base(m_directory.path());
        QVERIFY(base.mkpath("first") && base.mkpath("second/sub"));
        QVERIFY(writeFile(base.filePath("first/start.txt"), "there from the start\n"));
        QVERIFY(writeFile(base.filePath("second/a.txt"), "alpha\n"));
        QVERIFY(writeFile(base.filePath("second/with space.txt"), "a name with a space\n"));
        QByteArray blob(300 * 1024, Qt::Uninitialized);
        for (qsizetype i = 0; i < blob.size(); ++i)
            blob[i] = char(i * 31 + i / 4096);
        QVERIFY(writeFile(base.filePath("second/sub/blob.bin"), blob));
        std::string secondPath = base.filePath("second").toStdString();

        // The key as the app passes it: in the environment, which airlock-vmm empties at once.
        QVERIFY(::setenv(vmm::kGrantKeyVariable, hex(m_key).c_str(), 1) == 0);
        QString stdoutPath = m_directory.filePath("vmm-stdout.txt");
        auto vmmProcess =
            spawnVmm({"--kernel", QStringLiteral(AIRLOCK_GUEST_KERNEL), "--initramfs",
                         QStringLiteral(AIRLOCK_GUEST_INITRAMFS), "--memory", "256M", "--dataset",
                         "first=" + base.filePath("first"), "--spare-dataset-slots", "2",
                         "--session-dir", m_directory.filePath("session"), "--manifest-report",
                         m_directory.filePath("manifests.json"), "--", "sh", "-c",
                         "echo hotadd-ready; sleep 600"},
                stdoutPath);
        ::unsetenv(vmm::kGrantKeyVariable);
        QVERIFY2(vmmProcess, "posix_spawn failed");
        auto connected =
            vmm::ControlClient::create(std::move(vmmProcess->appSide), 300s, "tst_vmm_hotadd");
        QVERIFY2(connected, connected ? "" : connected.error().message().c_str());
        vmm::ControlClient& client = **connected;

        QByteArray console;
        std::vector<vmm::Frame> events;
        QVERIFY2(waitForConsole(client, console, "hotadd-ready", 300s, &events),
            console.right(3000).constData());
        // The agent answers once the guest's init has started it.
        GuestRun ready = runInGuest(client, "ls /datasets");
        QVERIFY2(ready.error.empty(), ready.error.c_str());
        QCOMPARE(ready.output, QByteArray("first\n"));

        // A grant for another path is refused, and nothing appears in the guest.
        auto otherMac = vmm::grantMac(m_key, "second", "/somewhere/else");
        QVERIFY(otherMac);
        auto refused = client.addDataset("second", secondPath, hex(*otherMac), 60s);
        QVERIFY2(!refused, "a grant for another path was accepted");
        qInfo("wrong grant: %s", refused.error().message().c_str());
        GuestRun none = runInGuest(client, "ls /datasets; grep -c ' /datasets/' /proc/mounts");
        QVERIFY2(none.error.empty(), none.error.c_str());
        QCOMPARE(none.output, QByteArray("first\n1\n"));

        // The real grant: mounted in the guest by the time the reply comes.
        auto mac = vmm::grantMac(m_key, "second", secondPath);
        QVERIFY(mac);
        QElapsedTimer timer;
        timer.start();
        auto added = client.addDataset("second", secondPath, hex(*mac), 60s);
        qint64 elapsed = timer.elapsed();
        QVERIFY2(added, added ? "" : added.error().message().c_str());
        std::printf("BENCH dataset_hot_add_ms %lld ms\n", static_cast<long long>(elapsed));
        std::fflush(stdout);
        qInfo("added: %llu files, %llu folders, %llu bytes, image %llu bytes; VMM's mountMs %llu",
            static_cast<unsigned long long>(added->fileCount),
            static_cast<unsigned long long>(added->folderCount),
            static_cast<unsigned long long>(added->totalBytes),
            static_cast<unsigned long long>(added->imageBytes),
            static_cast<unsigned long long>(added->mountMs));
        QCOMPARE(added->name, std::string("second"));
        QCOMPARE(added->fileCount, uint64_t {3});
        QCOMPARE(added->totalBytes, uint64_t(6 + 20 + blob.size()));

        GuestRun listing = runInGuest(client,
            "cd /datasets/second && ls -1 && cat 'with space.txt' a.txt && "
            "sha256sum sub/blob.bin | cut -d' ' -f1");
        QVERIFY2(listing.error.empty(), listing.error.c_str());
        QCOMPARE(listing.exitCode, 0);
        QByteArray blobHash = QCryptographicHash::hash(blob, QCryptographicHash::Sha256).toHex();
        QCOMPARE(listing.output,
            QByteArray("a.txt\nsub\nwith space.txt\na name with a space\nalpha\n") + blobHash +
                "\n");

        GuestRun write = runInGuest(client,
            "if (echo x > /datasets/second/new || echo x >> /datasets/second/a.txt) 2>/dev/null; "
            "then echo WRITABLE; else echo READONLY; fi; "
            "grep ' /datasets/second ' /proc/mounts");
        QVERIFY2(write.error.empty(), write.error.c_str());
        QVERIFY2(write.output.startsWith("READONLY\n"), write.output.constData());
        QVERIFY2(write.output.contains(" erofs ro,"), write.output.constData());
        QVERIFY2(write.output.contains("nosuid") && write.output.contains("nodev") &&
                write.output.contains("noexec"),
            write.output.constData());

        // The name is taken now.
        auto twice = client.addDataset("second", secondPath, hex(*mac), 60s);
        QVERIFY2(!twice, "the same name was added twice");
        QVERIFY2(twice.error().message().find("already") != std::string::npos,
            twice.error().message().c_str());

        // Two adds at once: the engine runs one at a time and refuses the other as busy.
        auto grantFor = [&](const QString& name) {
            QDir().mkpath(base.filePath(name));
            writeFile(base.filePath(name + "/" + name + ".txt"), name.toUtf8() + "\n");
            std::string path = base.filePath(name).toStdString();
            return std::pair {path, hex(*vmm::grantMac(m_key, name.toStdString(), path))};
        };
        auto [thirdPath, thirdGrant] = grantFor("third");
        auto [fourthPath, fourthGrant] = grantFor("fourth");
        auto thirdAdd = std::async(std::launch::async,
            [&] { return client.addDataset("third", thirdPath, thirdGrant, 60s); });
        auto fourthAdd = std::async(std::launch::async,
            [&] { return client.addDataset("fourth", fourthPath, fourthGrant, 60s); });
        auto third = thirdAdd.get();
        auto fourth = fourthAdd.get();
        QVERIFY2(bool(third) != bool(fourth), "two adds at once: not exactly one refused");
        const auto& busy = third ? fourth : third;
        QVERIFY2(busy.error().message().find("busy") != std::string::npos,
            busy.error().message().c_str());
        std::string laterName = third ? "fourth" : "third";

        // Both spare slots asked for are used now: the one refused as busy is refused again,
        // this time because the session can take no more.
        auto full = laterName == "third"
            ? client.addDataset("third", thirdPath, thirdGrant, 60s)
            : client.addDataset("fourth", fourthPath, fourthGrant, 60s);
        QVERIFY2(!full, "a dataset was added with no spare slot left");
        QVERIFY2(full.error().message().find("no more datasets") != std::string::npos,
            full.error().message().c_str());

        auto status = client.status();
        QVERIFY2(status, status ? "" : status.error().message().c_str());
        QCOMPARE(status->datasets.size(), size_t {3});
        QCOMPARE(status->datasets[1].name, std::string("second"));

        // A clean stop; the added dataset's manifest came like the first one's.
        QVERIFY(client.stop(false));
        std::optional<vmm::ShredReportEvent> shred;
        auto deadline = std::chrono::steady_clock::now() + 180s;
        while (!shred && std::chrono::steady_clock::now() < deadline) {
            auto event = client.nextEvent(1s);
            if (!event)
                break;
            if (!*event)
                continue;
            if ((*event)->kind == vmm::toWire(vmm::ControlKind::ShredReport))
                shred = *vmm::ShredReportEvent::fromJson((*event)->header);
            else
                events.push_back(std::move(**event));
        }
        QVERIFY2(shred, "no shred-report event");
        std::set<std::string> manifests;
        for (const vmm::Frame& frame : events) {
            if (frame.kind != vmm::toWire(vmm::ControlKind::DatasetManifest))
                continue;
            auto manifest = vmm::DatasetManifestEvent::fromJson(frame.header);
            QVERIFY(manifest);
            manifests.insert(manifest->name);
            if (manifest->name == "second")
                QCOMPARE(manifest->fileCount, uint64_t {3});
        }
        QVERIFY2(manifests.count("first") && manifests.count("second"),
            "a dataset's manifest event is missing");
        QCOMPARE(vmmProcess->wait(60s), 0);
        // The manifest report holds the added dataset, checked again at the end like the first.
        QFile report(m_directory.filePath("manifests.json"));
        QVERIFY(report.open(QIODevice::ReadOnly));
        QJsonArray outcomes = QJsonDocument::fromJson(report.readAll()).array();
        QCOMPARE(outcomes.size(), 3);
        QJsonObject second = outcomes.at(1).toObject();
        QCOMPARE(second.value("name").toString(), QString("second"));
        QVERIFY2(!second.contains("error"), qPrintable(second.value("error").toString()));
        QCOMPARE(second.value("fileCount").toInt(), 3);
        QVERIFY2(second.contains("atEnd"), "the added dataset was not checked at the end");
        QVERIFY2(second.value("atEnd").toObject().value("changed").toArray().isEmpty() &&
                second.value("atEnd").toObject().value("vanished").toArray().isEmpty(),
            "the added dataset changed during the session");
    }
};

AIRLOCK_LAB_TEST_MAIN(VmmHotAddTest)

#include "tst_vmm_hotadd.moc"
