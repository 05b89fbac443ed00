// Lab tests: a whole session with real KVM. The scratch disk's plaintext never reaches the host,
// the session is shredded when it ends, and the guest agent answers over vsock: several streams
// at once and 100 MiB through one with a matching hash.

#include "LabTestMain.h"
#include "VmmRun.h"
#include "protocol/AgentClient.h"
#include "scratch/AbandonedSession.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <future>
#include <thread>

#include <csignal>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// Waits until `process` has printed `marker` on stdout (collected into `output`).
bool waitForOutput(QProcess& process, QByteArray& output, const QByteArray& marker, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!output.contains(marker)) {
        if (timer.elapsed() > timeoutMs || process.state() == QProcess::NotRunning)
            return false;
        process.waitForReadyRead(500);
        output += process.readAllStandardOutput();
    }
    return true;
}

// Whether any file under `root` holds `needle`.
QString fileContaining(const QString& root, const QByteArray& needle)
{
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (!file.open(QIODevice::ReadOnly))
            continue;
        QByteArray carry;
        while (!file.atEnd()) {
            QByteArray chunk = carry + file.read(4 << 20);
            if (chunk.contains(needle))
                return file.fileName();
            carry = chunk.right(needle.size());
        }
    }
    return {};
}

} // namespace

class VmmSessionTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

    QStringList baseArguments() const
    {
        return { "--kernel", QStringLiteral(AIRLOCK_GUEST_KERNEL), "--initramfs",
            QStringLiteral(AIRLOCK_GUEST_INITRAMFS), "--memory", "256M" };
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_directory.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_KERNEL)), "no guest kernel");
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_INITRAMFS)), "no guest initramfs");
    }

    // The guest writes a canary to /work; while the session runs, no file of the session
    // directory (the scratch file included) holds it; the guest reads it back; after the session
    // the directory is gone and the shred report says each step succeeded.
    void scratchHoldsOnlyCiphertextAndIsShredded()
    {
        QString session = m_directory.filePath("session-canary");
        QString report = m_directory.filePath("canary-shred.json");
        // Built by the guest's shell, so the canary's text is nowhere on the kernel command line.
        const QByteArray canary = "AIRLOCK-CANARY-42-PHI";
        QProcess vmm;
        vmm.start(QStringLiteral(AIRLOCK_VMM),
            baseArguments()
                + QStringList { "--scratch", "64M", "--session-dir", session, "--shred-report", report, "--",
                    "sh", "-c",
                    "for i in 1 2 3 4 5 6 7 8; do echo AIRLOCK-CANARY-$((6*7))-PHI; done > /work/canary.txt; "
                    "sync; echo 3 > /proc/sys/vm/drop_caches; echo canary-written; read go; "
                    "cat /work/canary.txt | head -1" });
        QVERIFY(vmm.waitForStarted(10000));
        QByteArray output;
        QVERIFY2(waitForOutput(vmm, output, "canary-written", 180000), output.right(3000).constData());

        QString scratchFile = session + "/scratch.img";
        struct stat status {};
        QVERIFY2(::stat(QFile::encodeName(scratchFile).constData(), &status) == 0, "no scratch file during the session");
        QVERIFY2(status.st_blocks > 0, "the scratch file holds no data: the guest's writes did not reach it");
        QString found = fileContaining(session, canary);
        QVERIFY2(found.isEmpty(), qPrintable("the canary is in plaintext in " + found));

        vmm.write("go\n");
        QVERIFY(vmm.waitForFinished(120000));
        output += vmm.readAllStandardOutput();
        QByteArray errors = vmm.readAllStandardError();
        QCOMPARE(vmm.exitCode(), 0);
        QVERIFY2(output.contains(canary), "the guest could not read its canary back from /work");
        QVERIFY2(!QFileInfo::exists(session), "the session directory outlived the session");

        QFile reportFile(report);
        QVERIFY2(reportFile.open(QIODevice::ReadOnly), errors.constData());
        QJsonObject document = QJsonDocument::fromJson(reportFile.readAll()).object();
        QVERIFY2(document.value("succeeded").toBool(), errors.constData());
        QStringList items;
        for (const QJsonValue& item : document.value("items").toArray()) {
            QVERIFY2(item.toObject().value("succeeded").toBool(), qPrintable(item.toObject().value("what").toString()));
            items << item.toObject().value("what").toString();
        }
        for (const char* what : { "scratch key", "scratch file", "guest memory", "session directory" })
            QVERIFY2(!items.filter(what).isEmpty(), qPrintable(QString("no '%1' item in %2").arg(what, items.join(", "))));
    }

    // The guest agent over vsock: 100 MiB through one stream with matching SHA-256, and several
    // streams at once, while the session command keeps running on the console.
    void agentStreamsOverVsock()
    {
        QString session = m_directory.filePath("session-vsock");
        QProcess vmm;
        vmm.start(QStringLiteral(AIRLOCK_VMM),
            baseArguments() + QStringList { "--scratch", "64M", "--session-dir", session, "--", "sh", "-c", "echo console-ok; sleep 600" });
        QVERIFY(vmm.waitForStarted(10000));
        QByteArray output;
        QVERIFY2(waitForOutput(vmm, output, "console-ok", 180000), output.right(3000).constData());
        std::string socket = (session + "/vsock.sock").toStdString();

        auto connect = [&]() -> vmm::Result<vmm::AgentClient> {
            auto stream = vmm::AgentClient::connectHybridVsock(socket, 1024);
            if (!stream)
                return vmm::failure(stream.error());
            return vmm::AgentClient::create(std::move(*stream), std::chrono::seconds(60));
        };

        // 100 MiB of random bytes into sha256sum in the guest.
        QByteArray data(100 << 20, Qt::Uninitialized);
        auto* random = QRandomGenerator::global();
        random->fillRange(reinterpret_cast<quint32*>(data.data()), data.size() / 4);
        QString input = m_directory.filePath("stdin.bin");
        {
            QFile file(input);
            QVERIFY(file.open(QIODevice::WriteOnly) && file.write(data) == data.size());
        }
        auto client = connect();
        QVERIFY2(client, client ? "" : client.error().message().c_str());
        vmm::ExecRequest request;
        request.argv = { "sha256sum" };
        request.hasStdin = true;
        QFile stdinFile(input);
        QVERIFY(stdinFile.open(QIODevice::ReadOnly));
        QByteArray guestOutput;
        auto exited = client->exec(request, stdinFile.handle(), [&](vmm::AgentClient::OutputStream, std::span<const uint8_t> bytes) -> vmm::Result<void> {
            guestOutput.append(reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
            return {};
        });
        QVERIFY2(exited, exited ? "" : exited.error().message().c_str());
        QCOMPARE(exited->exitCode.value_or(-1), 0);
        QByteArray expected = QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
        QVERIFY2(guestOutput.startsWith(expected), guestOutput.constData());

        // Four connections at once, each echoing its own bytes back through `cat`.
        std::vector<std::future<QByteArray>> results;
        for (int stream = 0; stream < 4; ++stream) {
            results.push_back(std::async(std::launch::async, [&, stream]() -> QByteArray {
                auto each = connect();
                if (!each)
                    return "connect: " + QByteArray::fromStdString(each.error().message());
                int pipe[2];
                if (::pipe(pipe) < 0)
                    return "pipe failed";
                QByteArray mine = QByteArray("stream-") + QByteArray::number(stream) + QByteArray(200000, char('a' + stream));
                std::thread writer([&] {
                    for (qsizetype sent = 0; sent < mine.size();) {
                        ssize_t count = ::write(pipe[1], mine.constData() + sent, static_cast<size_t>(mine.size() - sent));
                        if (count <= 0)
                            break;
                        sent += count;
                    }
                    ::close(pipe[1]);
                });
                vmm::ExecRequest echo;
                echo.argv = { "cat" };
                echo.hasStdin = true;
                QByteArray back;
                auto done = each->exec(echo, pipe[0], [&](vmm::AgentClient::OutputStream, std::span<const uint8_t> bytes) -> vmm::Result<void> {
                    back.append(reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
                    return {};
                });
                writer.join();
                ::close(pipe[0]);
                if (!done)
                    return "exec: " + QByteArray::fromStdString(done.error().message());
                return back == mine ? QByteArray("ok") : QByteArray("stream ") + QByteArray::number(stream) + " came back different";
            }));
        }
        for (auto& result : results)
            QCOMPARE(result.get(), QByteArray("ok"));

        // A result written to /outbox is listed and fetched with its SHA-256; metrics make sense.
        {
            auto outbox = connect();
            QVERIFY2(outbox, outbox ? "" : outbox.error().message().c_str());
            vmm::ExecRequest write;
            write.argv = { "sh", "-c", "mkdir -p /outbox/tables && seq 1 5000 > /outbox/tables/result.csv" };
            auto wrote = outbox->exec(write, -1, [](vmm::AgentClient::OutputStream, std::span<const uint8_t>) -> vmm::Result<void> { return {}; });
            QVERIFY2(wrote && wrote->exitCode.value_or(-1) == 0, "could not write to /outbox");
            QByteArray expectedCsv;
            for (int i = 1; i <= 5000; ++i)
                expectedCsv += QByteArray::number(i) + "\n";
            auto listing = outbox->listOutbox();
            QVERIFY2(listing, listing ? "" : listing.error().message().c_str());
            QCOMPARE(listing->size(), size_t { 1 });
            QCOMPARE(QString::fromStdString(listing->front().path), QString("tables/result.csv"));
            QCOMPARE(QByteArray::fromStdString(listing->front().sha256), QCryptographicHash::hash(expectedCsv, QCryptographicHash::Sha256).toHex());
            QByteArray fetched;
            auto end = outbox->fetchOutboxFile("tables/result.csv", [&](std::span<const uint8_t> bytes) -> vmm::Result<void> {
                fetched.append(reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
                return {};
            });
            QVERIFY2(end, end ? "" : end.error().message().c_str());
            QCOMPARE(fetched, expectedCsv);
            QVERIFY2(!outbox->fetchOutboxFile("../etc/passwd", [](std::span<const uint8_t>) -> vmm::Result<void> { return {}; }),
                "a path out of /outbox was served");
            auto metrics = outbox->metrics();
            QVERIFY2(metrics, metrics ? "" : metrics.error().message().c_str());
            QVERIFY(metrics->memoryTotalBytes > 128ull << 20 && metrics->memoryTotalBytes <= 256ull << 20);
            QVERIFY(metrics->workTotalBytes > 32ull << 20 && metrics->workUsedBytes > 0);
            QVERIFY(metrics->uptimeSeconds > 0);
        }

        // A clean shutdown through the agent ends the session.
        auto last = connect();
        QVERIFY2(last, last ? "" : last.error().message().c_str());
        QVERIFY(last->shutdown());
        QVERIFY(vmm.waitForFinished(120000));
        QByteArray errors = vmm.readAllStandardError();
        QVERIFY2(vmm.exitCode() == 0, errors.constData());
        QVERIFY2(!QFileInfo::exists(session),
            qPrintable("the session directory outlived the session: " + QDir(session).entryList(QDir::AllEntries | QDir::System | QDir::Hidden).join(", ") + "\n" + QString::fromUtf8(errors)));
    }

    // airlock-vmm killed with SIGKILL cannot shred itself: the supervisor's function completes
    // what it can (the key died with the process) and leaves nothing behind.
    void killedSessionIsCompletedBySupervisor()
    {
        QString session = m_directory.filePath("session-killed");
        QProcess vmm;
        vmm.start(QStringLiteral(AIRLOCK_VMM),
            baseArguments() + QStringList { "--scratch", "64M", "--session-dir", session, "--", "sh", "-c",
                "echo data > /work/file; sync; echo written; sleep 600" });
        QVERIFY(vmm.waitForStarted(10000));
        QByteArray output;
        QVERIFY2(waitForOutput(vmm, output, "written", 180000), output.right(3000).constData());
        QVERIFY(QFileInfo::exists(session + "/scratch.img"));
        ::kill(static_cast<pid_t>(vmm.processId()), SIGKILL);
        QVERIFY(vmm.waitForFinished(30000));
        QVERIFY2(QFileInfo::exists(session), "nothing was left to complete: the test proves nothing");

        vmm::ShredReport report = vmm::completeAbandonedSession(session.toStdString());
        QVERIFY2(report.allSucceeded(), report.toJson().c_str());
        QVERIFY2(!QFileInfo::exists(session), report.toJson().c_str());
        QVERIFY2(report.toJson().find("unrecoverable") != std::string::npos, report.toJson().c_str());
    }
};

AIRLOCK_LAB_TEST_MAIN(VmmSessionTest)

#include "tst_vmm_session.moc"
