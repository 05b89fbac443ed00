// Shred reports and the supervisor's side of shredding. When airlock-vmm is killed with SIGKILL
// it cannot shred anything; the app then removes what is left and must say truthfully what was
// done and what could not be: that is what the auditor reads.

#include "scratch/AbandonedSession.h"
#include "scratch/EncryptedScratch.h"
#include "scratch/ShredReport.h"

#include <algorithm>
#include <cstring>
#include <regex>
#include <signal.h>
#include <string>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace vmm;

namespace {

const std::string kCanary = "AIRLOCK-CANARY-killed-session-0042";

// Binds a listening Unix socket at `path`; returns whether it worked.
bool bindSocket(const std::string& path)
{
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (fd < 0 || path.size() >= sizeof address.sun_path)
        return false;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    // Safety: sockaddr_un is the sockaddr for AF_UNIX; bind reads sizeof address bytes of it.
    return ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
        ::listen(fd, 1) == 0;
}

// What a running airlock-vmm leaves in its session directory: a scratch disk with the guest's
// data, the control socket and a vsock socket in a subdirectory. Runs in a forked child.
[[noreturn]] void runSessionUntilKilled(const std::string& directory, int readyFd)
{
    auto scratch = EncryptedScratch::create(directory + "/scratch.img", 16 << 20);
    if (!scratch)
        ::_exit(2);
    std::vector<uint8_t> sectors(64 * 512, ' ');
    for (size_t at = 0; at + kCanary.size() <= sectors.size(); at += 512)
        std::memcpy(sectors.data() + at, kCanary.data(), kCanary.size());
    if (!(*scratch)->write(4096, sectors) || !(*scratch)->flush())
        ::_exit(3);
    if (::mkdir((directory + "/vsock").c_str(), 0700) < 0 ||
        !bindSocket(directory + "/control.sock") ||
        !bindSocket(directory + "/vsock/port-1024.sock"))
        ::_exit(4);
    [[maybe_unused]] ssize_t sent = ::write(readyFd, "r", 1);
    for (;;)
        ::pause();
}

const ShredItem* findItem(const ShredReport& report, const std::string& what)
{
    auto it = std::find_if(report.items().begin(), report.items().end(),
        [&](const ShredItem& item) { return item.what.find(what) != std::string::npos; });
    return it == report.items().end() ? nullptr : &*it;
}

} // namespace

class ScratchShredTest : public QObject {
    Q_OBJECT

private slots:
    void timestampsAreUtcIsoWithMilliseconds()
    {
        std::string stamp = utcTimestamp();
        QVERIFY2(
            std::regex_match(stamp, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")),
            stamp.c_str());
        ShredItem item = ShredItem::start("session directory", "rmdir");
        QVERIFY(!item.succeeded);
        item.finish(true, "stat: ENOENT");
        QVERIFY(item.succeeded);
        QVERIFY(item.startedAt <= item.finishedAt); // ISO 8601 strings order as times
    }

    void reportSurvivesJson()
    {
        ShredReport report;
        ShredItem key = ShredItem::start("scratch key", "key wiped with OPENSSL_cleanse");
        key.finish(true, "all zero");
        ShredItem file =
            ShredItem::start("scratch file /run/x/scratch.img \"quoted\" \xc3\xa9", "unlink");
        file.detail = "3 bytes";
        file.finish(false, "still there");
        report.add(key);
        report.add(std::vector<ShredItem> {file});
        QVERIFY(!report.allSucceeded());

        std::string json = report.toJson();
        QVERIFY(json.find("\"succeeded\": false") != std::string::npos);
        auto parsed = ShredReport::fromJson(json);
        QVERIFY2(parsed, parsed ? "" : parsed.error().message().c_str());
        QCOMPARE(parsed->items().size(), size_t {2});
        const ShredItem& back = parsed->items()[1];
        QCOMPARE(back.what, file.what);
        QCOMPARE(back.method, file.method);
        QCOMPARE(back.verification, file.verification);
        QCOMPARE(back.detail, file.detail);
        QCOMPARE(back.succeeded, false);
        QCOMPARE(back.startedAt, file.startedAt);
        QCOMPARE(back.finishedAt, file.finishedAt);
        QCOMPARE(parsed->items()[0].succeeded, true);
    }

    void malformedReportsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("not JSON") << QByteArray("{\"items\": [");
        QTest::newRow("not an object") << QByteArray("[1, 2]");
        QTest::newRow("no items") << QByteArray("{\"succeeded\": true}");
        QTest::newRow("item not an object") << QByteArray("{\"items\": [3]}");
        QTest::newRow("field of the wrong type")
            << QByteArray("{\"items\": [{\"what\": 1, \"method\": \"\", \"verification\": \"\", "
                          "\"detail\": \"\", \"succeeded\": true, \"startedAt\": \"\", "
                          "\"finishedAt\": \"\"}]}");
        QTest::newRow("succeeded missing")
            << QByteArray("{\"items\": [{\"what\": \"\", \"method\": \"\", \"verification\": \"\", "
                          "\"detail\": \"\", \"startedAt\": \"\", \"finishedAt\": \"\"}]}");
    }
    void malformedReportsAreRefused()
    {
        QFETCH(QByteArray, json);
        QVERIFY(!ShredReport::fromJson(json.toStdString()));
    }

    void aKilledSessionIsCleanedUpAndReported()
    {
        QTemporaryDir parent;
        std::string session = parent.filePath("session-7").toStdString();
        QCOMPARE(::mkdir(session.c_str(), 0700), 0);
        // Something outside the session that a symlink inside points at: must survive.
        QString outside = parent.filePath("outside.txt");
        QFile outsideFile(outside);
        QVERIFY(outsideFile.open(QIODevice::WriteOnly));
        outsideFile.write("not part of the session");
        outsideFile.close();
        QVERIFY(QFile::link(outside, QString::fromStdString(session + "/link")));

        int pipeFds[2];
        QCOMPARE(::pipe(pipeFds), 0);
        pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::close(pipeFds[0]);
            runSessionUntilKilled(session, pipeFds[1]);
        }
        ::close(pipeFds[1]);
        char ready = 0;
        ssize_t count = ::read(pipeFds[0], &ready, 1);
        ::close(pipeFds[0]);
        if (count != 1) {
            int status = 0;
            ::waitpid(child, &status, 0);
            QFAIL(qPrintable(QString("the session child failed (status %1)").arg(status)));
        }
        QCOMPARE(::kill(child, SIGKILL), 0);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

        // The killed process could not shred: its ciphertext is still there, and only that.
        QFile scratch(QString::fromStdString(session + "/scratch.img"));
        QVERIFY(scratch.open(QIODevice::ReadOnly));
        QVERIFY(!scratch.readAll().contains(QByteArray::fromStdString(kCanary)));
        scratch.close();

        ShredReport report = completeAbandonedSession(session);
        std::string json = report.toJson();
        QVERIFY2(report.allSucceeded(), json.c_str());
        struct stat status2 { };
        QVERIFY2(::lstat(session.c_str(), &status2) < 0 && errno == ENOENT, json.c_str());
        QVERIFY(QFile::exists(outside));

        const ShredItem* scratchItem = findItem(report, "scratch file " + session + "/scratch.img");
        QVERIFY2(scratchItem, json.c_str());
        QVERIFY(scratchItem->detail.find("unrecoverable") != std::string::npos);
        QVERIFY(scratchItem->verification.find("ENOENT") != std::string::npos);
        QVERIFY2(findItem(report, "socket " + session + "/control.sock"), json.c_str());
        QVERIFY2(findItem(report, "socket " + session + "/vsock/port-1024.sock"), json.c_str());
        QVERIFY2(findItem(report, "directory " + session + "/vsock"), json.c_str());
        QVERIFY2(findItem(report, "symlink " + session + "/link"), json.c_str());
        QVERIFY2(report.items().back().what == "session directory " + session, json.c_str());
        QCOMPARE(report.items().size(), size_t {6});
    }

    void anAlreadyRemovedSessionIsReportedAsGone()
    {
        QTemporaryDir parent;
        std::string session = parent.filePath("never-created").toStdString();
        ShredReport report = completeAbandonedSession(session);
        QCOMPARE(report.items().size(), size_t {1});
        QVERIFY(report.allSucceeded());
        QVERIFY(report.items()[0].verification.find("already removed") != std::string::npos);
    }

    void aSessionPathThatIsNotADirectoryIsNotTouched()
    {
        QTemporaryDir parent;
        QString target = parent.filePath("precious");
        QVERIFY(QDir().mkdir(target));
        QFile file(target + "/data");
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        QString link = parent.filePath("session-link");
        QVERIFY(QFile::link(target, link));
        ShredReport report = completeAbandonedSession(link.toStdString());
        QVERIFY(!report.allSucceeded());
        QVERIFY(QFile::exists(target + "/data"));
    }
};

QTEST_GUILESS_MAIN(ScratchShredTest)
#include "tst_scratch_shred.moc"
