// The dataset broker (hot-adding a dataset to a sandboxed session): a process confined by Landlock
// to a folder with nothing in it can still scan, image and hash a dataset elsewhere through the
// broker, because the broker opens it; and the broker opens only what the app authorized, only
// beneath it, read-only, whatever a compromised VMM sends it. All on the host, no KVM.

#include "broker/BrokerChannel.h"
#include "broker/BrokerOpener.h"
#include "broker/BrokerProtocol.h"
#include "broker/BrokerServer.h"
#include "broker/DatasetBroker.h"
#include "broker/GrantKey.h"
#include "dataset/ErofsImage.h"
#include "dataset/FileHasher.h"
#include "dataset/Manifest.h"
#include "sandbox/Landlock.h"
#include "sandbox/SeccompFilter.h"
#include "tst_dataset_support.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <QTest>

using namespace vmm;
using datasettest::makeFile;
using datasettest::TemporaryFolder;
namespace fs = std::filesystem;

namespace {

GrantKey testKey()
{
    GrantKey key {};
    for (size_t index = 0; index < key.size(); ++index)
        key[index] = static_cast<uint8_t>(index);
    return key;
}

std::string hex(std::span<const uint8_t> bytes)
{
    static const char digits[] = "0123456789abcdef";
    std::string text;
    for (uint8_t byte : bytes) {
        text += digits[byte >> 4];
        text += digits[byte & 15];
    }
    return text;
}

// Bytes no other file of a test has: found in an image only where that file's data lies.
std::string patternBytes(size_t size, uint32_t seed)
{
    std::string bytes(size, '\0');
    uint32_t state = seed * 2654435761u + 1;
    for (char& byte : bytes) {
        state = state * 1664525u + 1013904223u;
        byte = static_cast<char>(state >> 24);
    }
    return bytes;
}

// Whether the image holds `content` starting at a block boundary (where EROFS puts file data).
bool imageHoldsFile(ErofsImage& image, const std::string& content)
{
    std::vector<uint8_t> bytes(image.sizeBytes());
    if (!image.read(0, bytes))
        return false;
    for (size_t offset = 0; offset + content.size() <= bytes.size(); offset += 4096) {
        if (std::memcmp(bytes.data() + offset, content.data(), content.size()) == 0)
            return true;
    }
    return false;
}

std::string readAll(int fd)
{
    std::string bytes;
    char buffer[4096];
    ssize_t count = 0;
    while ((count = ::read(fd, buffer, sizeof buffer)) > 0)
        bytes.append(buffer, static_cast<size_t>(count));
    return bytes;
}

// A broker run with runDatasetBroker in a forked child over a socketpair this test holds the
// other end of: requests can be sent as the broker's client does, or as raw bytes.
struct RawBroker {
    RawBroker()
    {
        int ends[2];
        if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) < 0)
            return;
        timeval limit {5, 0};
        ::setsockopt(ends[0], SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        pid_t parent = ::getpid();
        pid = ::fork();
        if (pid == 0) {
            ::close(ends[0]);
            GrantKey key = testKey();
            runDatasetBroker(ends[1], key, parent);
        }
        ::close(ends[1]);
        socket = ends[0];
        auto ready = broker::receiveMessage(socket, broker::kMaxReplyBytes);
        if (ready) {
            auto reply = broker::decodeReply(ready->bytes);
            isReady = reply && reply->status == broker::Status::Ready;
        }
        channel = std::make_shared<BrokerChannel>(UniqueFd(::dup(socket)));
    }
    ~RawBroker()
    {
        channel->shutdown();
        ::close(socket);
        int status = 0;
        if (pid > 0)
            ::waitpid(pid, &status, 0);
    }

    // A grant the app authorized; 0 when refused.
    uint32_t grant(const std::string& name, const std::string& path)
    {
        broker::Request request;
        request.kind = broker::RequestKind::Grant;
        request.name = name;
        request.path = path;
        request.mac = grantMac(testKey(), name, path).value();
        auto answer = channel->request(request);
        return answer && answer->reply.status == broker::Status::Ok ? answer->reply.handle : 0;
    }

    broker::Status open(uint32_t handle, const std::string& path, uint32_t flags)
    {
        broker::Request request;
        request.kind = broker::RequestKind::Open;
        request.handle = handle;
        request.path = path;
        request.flags = flags;
        auto answer = channel->request(request);
        return answer ? answer->reply.status : broker::Status::Malformed;
    }

    // Sends raw bytes (and a descriptor); the reply's status, or nullopt when none came.
    std::optional<broker::Status> sendRaw(std::span<const uint8_t> bytes, int fd = -1)
    {
        if (!broker::sendMessage(socket, bytes, fd))
            return std::nullopt;
        auto received = broker::receiveMessage(socket, broker::kMaxReplyBytes + 1);
        if (!received || !received->fds.empty())
            return std::nullopt;
        auto reply = broker::decodeReply(received->bytes);
        if (!reply)
            return std::nullopt;
        return reply->status;
    }

    pid_t pid = -1;
    int socket = -1;
    bool isReady = false;
    std::shared_ptr<BrokerChannel> channel;
};

bool processIsGone(pid_t pid, std::chrono::milliseconds patience)
{
    auto deadline = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < deadline) {
        // Reparented to init (or a subreaper) it may stay a zombie for a moment: that is gone too.
        std::string stat = datasettest::fileBytes("/proc/" + std::to_string(pid) + "/stat");
        size_t close = stat.rfind(')');
        if (stat.empty() ||
            (close != std::string::npos && stat.size() > close + 2 && stat[close + 2] == 'Z'))
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

} // namespace

class DatasetBrokerTest : public QObject {
    Q_OBJECT

private slots:
    void grantMacIsHmacSha256()
    {
        // RFC 4231 test case 2 through the primitive grantMac uses.
        std::string key = "Jefe";
        std::string data = "what do ya want for nothing?";
        auto mac = hmacSha256({reinterpret_cast<const uint8_t*>(key.data()), key.size()},
            {reinterpret_cast<const uint8_t*>(data.data()), data.size()});
        QVERIFY(mac);
        QCOMPARE(hex(*mac),
            std::string("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
        // The app computes the same: `printf 'airlock-dataset-grant-v1\ncohort\n/data/cohort' |
        // openssl dgst -sha256 -mac HMAC -macopt hexkey:000102...1f`.
        auto grant = grantMac(testKey(), "cohort", "/data/cohort");
        QVERIFY(grant);
        QCOMPARE(hex(*grant),
            std::string("fa303eafab3be2d40ae9b3dd3767e3b637ba2fb346252d663f6d940a8d53196e"));
        auto parsed =
            parseGrantMac("FA303EAFAB3BE2D40AE9B3DD3767E3B637BA2FB346252D663F6D940A8D53196E");
        QVERIFY(parsed);
        QVERIFY(*parsed == *grant);
        QVERIFY(!parseGrantMac("fa30"));
        QVERIFY(!parseGrantMac(std::string(64, 'g')));
    }

    void theKeyIsParsedAndWiped()
    {
        std::string text = hex(testKey());
        auto key = parseGrantKey(text);
        QVERIFY(key);
        QVERIFY(*key == testKey());
        QVERIFY(text.empty());
        std::string bad = std::string(63, 'a') + "z";
        QVERIFY(!parseGrantKey(bad));
        QVERIFY(bad.empty());

        ::setenv(kGrantKeyVariable, hex(testKey()).c_str(), 1);
        const char* value = std::getenv(kGrantKeyVariable);
        QVERIFY(value);
        std::string before(value);
        char* original = const_cast<char*>(value);
        auto taken = takeGrantKeyFromEnvironment();
        QVERIFY(taken && *taken);
        QVERIFY(**taken == testKey());
        QVERIFY(std::getenv(kGrantKeyVariable) == nullptr);
        // setenv made its own copy, which the environment owned: it is overwritten, not just unset.
        QVERIFY(std::string_view(original, before.size()) != before);
        auto none = takeGrantKeyFromEnvironment();
        QVERIFY(none && !*none);
    }

    void aConfinedProcessReadsADatasetThroughTheBroker()
    {
        // The property hot-add relies on: Landlock forbids opening the dataset, the broker opens
        // it.
        if (landlockAbiVersion() == 0)
            QSKIP("this kernel has no Landlock: the confinement cannot be shown here");
        TemporaryFolder empty;
        TemporaryFolder data;
        QVERIFY(empty.isValid() && data.isValid());
        std::string first = patternBytes(10'000, 1);
        std::string second = patternBytes(70'000, 2);
        QVERIFY(makeFile(data.path("a.bin"), first));
        QVERIFY(fs::create_directory(data.path("nested")));
        QVERIFY(makeFile(data.path("nested/b.bin"), second));
        std::string root = data.path().string();
        std::string expectedDigest = Manifest::compute(root).value().digestHex();

        int report[2];
        QVERIFY(::pipe(report) == 0);
        pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::close(report[0]);
            auto say = [&](const std::string& text) {
                (void)!::write(report[1], text.data(), text.size());
                ::_exit(text == "ok" ? 0 : 1);
            };
            auto broker = DatasetBroker::start(testKey());
            if (!broker)
                say("start: " + broker.error().message());
            const uint8_t warmUp[] = {1, 2, 3};
            (void)FileHasher::hashBytes(
                warmUp, sizeof warmUp); // OpenSSL loads itself before Landlock
            std::string only = empty.path().string();
            auto confined = restrictFileAccess(std::span(&only, 1), {});
            if (!confined || !*confined)
                say("landlock did not apply");
            if (::open((root + "/a.bin").c_str(), O_RDONLY) >= 0 || errno != EACCES)
                say("the confined process could open the dataset itself");
            auto source =
                (*broker)->grant("cohort", root, grantMac(testKey(), "cohort", root).value());
            if (!source)
                say("grant: " + source.error().message());
            auto image = ErofsImage::create(std::move(*source));
            if (!image)
                say("image: " + image.error().message());
            if ((*image)->summary().fileCount != 2 || (*image)->summary().folderCount != 1)
                say("wrong counts");
            if (!imageHoldsFile(**image, first) || !imageHoldsFile(**image, second))
                say("the image does not hold the files' bytes");
            auto manifest = Manifest::compute(*(*image)->tree());
            if (!manifest || manifest->digestHex() != expectedDigest)
                say("the manifest through the broker differs");
            auto verified = manifest->verify();
            if (!verified || !verified->isEmpty())
                say("verify through the broker failed");
            say("ok");
        }
        ::close(report[1]);
        std::string said = readAll(report[0]);
        ::close(report[0]);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0, said.c_str());
        QCOMPARE(said, std::string("ok"));
    }

    void aOneFileDatasetWorksAndItsSiblingsStayClosed()
    {
        TemporaryFolder data;
        std::string content = patternBytes(5'000, 3);
        QVERIFY(makeFile(data.path("only.csv"), content));
        QVERIFY(makeFile(data.path("secret.txt"), "not granted"));
        auto broker = DatasetBroker::start(testKey());
        QVERIFY2(broker, broker ? "" : broker.error().message().c_str());
        std::string path = data.path("only.csv").string();
        auto source = (*broker)->grant("only", path, grantMac(testKey(), "only", path).value());
        QVERIFY2(source, source ? "" : source.error().message().c_str());
        QCOMPARE(source->oneFileName, std::string("only.csv"));
        auto sibling = source->opener->open("secret.txt", O_RDONLY);
        QVERIFY(!sibling);
        QVERIFY(!source->opener->open("", O_RDONLY | O_DIRECTORY)); // not even the folder's listing
        auto image = ErofsImage::create(std::move(*source));
        QVERIFY2(image, image ? "" : image.error().message().c_str());
        QCOMPARE((*image)->summary().fileCount, uint64_t {1});
        QVERIFY(imageHoldsFile(**image, content));
    }

    void grantsTheAppDidNotAuthorizeAreRefused()
    {
        TemporaryFolder data;
        QVERIFY(makeFile(data.path("a.txt"), "a"));
        TemporaryFolder other;
        auto broker = DatasetBroker::start(testKey());
        QVERIFY(broker);
        std::string path = data.path().string();
        GrantKey wrongKey = testKey();
        wrongKey[0] ^= 1;
        struct Case {
            const char* what;
            GrantMac mac;
        };
        const Case cases[] = {
            {"a mac made with another key", grantMac(wrongKey, "cohort", path).value()},
            {"a mac for another name", grantMac(testKey(), "other", path).value()},
            {"a mac for another path",
                grantMac(testKey(), "cohort", other.path().string()).value()},
            {"no mac", GrantMac {}},
        };
        for (const Case& refused : cases) {
            auto source = (*broker)->grant("cohort", path, refused.mac);
            QVERIFY2(!source, refused.what);
            QVERIFY2(source.error().message().find("did not authorize") != std::string::npos,
                source.error().message().c_str());
        }
        // A symlink as the dataset itself: named as such.
        QVERIFY(::symlink(path.c_str(), (other.path().string() + "/link").c_str()) == 0);
        std::string link = other.path().string() + "/link";
        auto linked = (*broker)->grant("cohort", link, grantMac(testKey(), "cohort", link).value());
        QVERIFY(!linked);
        QVERIFY2(linked.error().message().find("symbolic link") != std::string::npos,
            linked.error().message().c_str());
        std::string missing = path + "/gone";
        auto vanished =
            (*broker)->grant("cohort", missing, grantMac(testKey(), "cohort", missing).value());
        QVERIFY(!vanished);
        QVERIFY(vanished.error().message().find("not there") != std::string::npos);
        // And it still serves an authorized one.
        auto source = (*broker)->grant("cohort", path, grantMac(testKey(), "cohort", path).value());
        QVERIFY2(source, source ? "" : source.error().message().c_str());
        auto file = source->opener->open("a.txt", O_RDONLY);
        QVERIFY(file);
        QCOMPARE(readAll(file->get()), std::string("a"));
    }

    void hostileOpenRequestsAreRefusedAndTheBrokerKeepsServing()
    {
        TemporaryFolder data;
        TemporaryFolder outside;
        QVERIFY(makeFile(data.path("a.txt"), "inside"));
        QVERIFY(fs::create_directory(data.path("folder")));
        QVERIFY(makeFile(data.path("folder/b.txt"), "b"));
        QVERIFY(makeFile(outside.path("secret.txt"), "secret"));
        QVERIFY(::symlink(outside.path().c_str(), data.path("escape").c_str()) == 0);
        QVERIFY(::symlink("a.txt", data.path("alias").c_str()) == 0);
        RawBroker raw;
        QVERIFY(raw.isReady);
        uint32_t handle = raw.grant("cohort", data.path().string());
        QVERIFY(handle != 0);
        using broker::Status;
        QCOMPARE(raw.open(handle, "a.txt", O_RDONLY), Status::Ok);
        QCOMPARE(
            raw.open(handle, "../" + outside.path().filename().string() + "/secret.txt", O_RDONLY),
            Status::BadPath);
        QCOMPARE(raw.open(handle, "folder/../a.txt", O_RDONLY), Status::BadPath);
        QCOMPARE(raw.open(handle, outside.path("secret.txt").string(), O_RDONLY), Status::BadPath);
        QCOMPARE(raw.open(handle, std::string("a.txt\0x", 7), O_RDONLY), Status::BadPath);
        QCOMPARE(raw.open(handle, "escape/secret.txt", O_RDONLY),
            Status::OpenFailed); // a symlink on the way
        QCOMPARE(raw.open(handle, "alias", O_RDONLY), Status::OpenFailed); // a symlink at the end
        QCOMPARE(raw.open(0, "a.txt", O_RDONLY), Status::BadHandle);
        QCOMPARE(raw.open(99, "a.txt", O_RDONLY), Status::BadHandle);
        QCOMPARE(raw.open(handle, "a.txt", O_RDWR), Status::BadFlags);
        QCOMPARE(raw.open(handle, "a.txt", O_WRONLY | O_TRUNC), Status::BadFlags);
        QCOMPARE(raw.open(handle, "new.txt", O_RDONLY | O_CREAT), Status::BadFlags);
        QCOMPARE(raw.open(handle, "a.txt", O_RDONLY | O_PATH), Status::BadFlags);

        // Garbage, a message longer than any request, lengths that do not add up, a descriptor.
        std::string garbage = patternBytes(200, 9);
        QCOMPARE(raw.sendRaw({reinterpret_cast<const uint8_t*>(garbage.data()), garbage.size()}),
            std::optional(Status::Malformed));
        std::vector<uint8_t> oversized(broker::kMaxRequestBytes + 100, 0);
        QCOMPARE(raw.sendRaw(oversized), std::optional(Status::Malformed));
        broker::Request request;
        request.kind = broker::RequestKind::Open;
        request.handle = handle;
        request.path = "a.txt";
        std::vector<uint8_t> bytes = broker::encode(request);
        std::vector<uint8_t> cut(bytes.begin(), bytes.end() - 1);
        QCOMPARE(raw.sendRaw(cut), std::optional(Status::Malformed));
        broker::RequestHeader header {};
        std::memcpy(&header, bytes.data(), sizeof header);
        header.pathLength = 0xffffffffu;
        std::memcpy(bytes.data(), &header, sizeof header);
        QCOMPARE(raw.sendRaw(bytes), std::optional(Status::Malformed));
        QCOMPARE(
            raw.sendRaw(broker::encode(request), STDIN_FILENO), std::optional(Status::Malformed));

        // Still serving, and what it opens is the file inside.
        broker::Request good;
        good.kind = broker::RequestKind::Open;
        good.handle = handle;
        good.path = "folder/b.txt";
        good.flags = O_RDONLY;
        auto answer = raw.channel->request(good);
        QVERIFY(answer && answer->reply.status == Status::Ok && answer->fd.isValid());
        QCOMPARE(readAll(answer->fd.get()), std::string("b"));
        int flags = ::fcntl(answer->fd.get(), F_GETFL);
        QCOMPARE(flags & O_ACCMODE, O_RDONLY);
        QVERIFY(::fcntl(answer->fd.get(), F_GETFD) & FD_CLOEXEC);
    }

    void theClientRefusesWhatTheBrokerWould()
    {
        RawBroker raw;
        QVERIFY(raw.isReady);
        BrokerOpener opener(raw.channel, 99);
        auto bad = opener.open("a.txt", O_RDONLY);
        QVERIFY(!bad);
        QCOMPARE(bad.error().operation(), std::string(kOpenerFailure));
        QVERIFY(!opener.open("../x", O_RDONLY));
        QVERIFY(!opener.open("/etc/passwd", O_RDONLY));
        QVERIFY(!opener.open("x", O_RDWR));
    }

    void fourThreadsOpenAtOnce()
    {
        TemporaryFolder data;
        constexpr int kFiles = 64;
        for (int index = 0; index < kFiles; ++index)
            QVERIFY(
                makeFile(data.path("f" + std::to_string(index)), "file " + std::to_string(index)));
        auto broker = DatasetBroker::start(testKey());
        QVERIFY(broker);
        std::string path = data.path().string();
        auto source = (*broker)->grant("many", path, grantMac(testKey(), "many", path).value());
        QVERIFY(source);
        std::shared_ptr<FileOpener> opener = source->opener;
        std::atomic<int> wrong {0};
        std::atomic<int> done {0};
        auto started = std::chrono::steady_clock::now();
        std::vector<std::thread> threads;
        for (int thread = 0; thread < 4; ++thread) {
            threads.emplace_back([&, thread] {
                for (int round = 0; round < 250; ++round) {
                    int index = (round * 7 + thread * 13) % kFiles;
                    auto file = opener->open("f" + std::to_string(index), O_RDONLY);
                    if (!file || readAll(file->get()) != "file " + std::to_string(index))
                        ++wrong;
                    ++done;
                }
            });
        }
        for (std::thread& thread : threads)
            thread.join();
        auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - started);
        QCOMPARE(wrong.load(), 0);
        QCOMPARE(done.load(), 1000);
        qInfo("1000 opens through the broker from 4 threads: %lld us each",
            static_cast<long long>(elapsed.count() / 1000));
    }

    void aStoppedBrokerFailsFastWithAClearError()
    {
        TemporaryFolder data;
        QVERIFY(makeFile(data.path("a.txt"), "a"));
        std::shared_ptr<FileOpener> opener;
        pid_t pid = 0;
        {
            auto broker = DatasetBroker::start(testKey());
            QVERIFY(broker);
            pid = (*broker)->pid();
            std::string path = data.path().string();
            opener = (*broker)
                         ->grant("cohort", path, grantMac(testKey(), "cohort", path).value())
                         ->opener;
            QVERIFY(opener->open("a.txt", O_RDONLY));
        }
        QCOMPARE(::kill(pid, 0), -1); // reaped by the destructor
        auto started = std::chrono::steady_clock::now();
        auto after = opener->open("a.txt", O_RDONLY);
        QVERIFY(!after);
        QVERIFY(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
        QCOMPARE(after.error().operation(), std::string(kOpenerFailure));
        QVERIFY2(after.error().message().find("stopped") != std::string::npos,
            after.error().message().c_str());
    }

    void theBrokerExitsWhenTheVmmDies()
    {
        int report[2];
        QVERIFY(::pipe(report) == 0);
        pid_t vmm = ::fork();
        QVERIFY(vmm >= 0);
        if (vmm == 0) {
            ::close(report[0]);
            auto broker = DatasetBroker::start(testKey());
            pid_t pid = broker ? (*broker)->pid() : -1;
            (void)!::write(report[1], &pid, sizeof pid);
            ::pause(); // killed by the test
            ::_exit(0);
        }
        ::close(report[1]);
        pid_t brokerPid = -1;
        QCOMPARE(::read(report[0], &brokerPid, sizeof brokerPid), ssize_t(sizeof brokerPid));
        ::close(report[0]);
        QVERIFY(brokerPid > 0);
        QVERIFY(!processIsGone(brokerPid, std::chrono::milliseconds(50)));
        ::kill(vmm, SIGKILL);
        int status = 0;
        QCOMPARE(::waitpid(vmm, &status, 0), vmm);
        QVERIFY(processIsGone(brokerPid, std::chrono::seconds(5)));
    }

    void theBrokersSeccompListHasNoWayOut()
    {
        // What the broker may call: open read-only, exchange messages, nothing that starts or
        // changes anything (no exec, no fork, no socket, no write-open, no unlink, no ptrace).
        auto names = allowedSyscallNames(ThreadKind::Broker);
        for (const char* forbidden : {"execve", "execveat", "fork", "vfork", "clone", "clone3",
                 "socket", "connect", "unlink", "unlinkat", "rename", "ptrace", "kill", "mprotect",
                 "ioctl", "prctl", "chmod", "mkdir"})
            QVERIFY2(std::find(names.begin(), names.end(), forbidden) == names.end(), forbidden);
        for (const char* needed : {"recvmsg", "sendmsg", "openat2", "close", "exit_group"})
            QVERIFY2(std::find(names.begin(), names.end(), needed) != names.end(), needed);
        // Main does not take the broker's rows.
        QVERIFY(appliesTo(kForBroker, ThreadKind::Broker));
        QVERIFY(!appliesTo(kForBroker, ThreadKind::Main));
    }
};

QTEST_GUILESS_MAIN(DatasetBrokerTest)
#include "tst_dataset_broker.moc"
