// airlock-vmm's self-protection, as an attacker who took over the guest-facing code would meet
// it: a syscall outside its thread's allow-list kills the whole process (SIGSYS), the calls the
// engine needs still work, inherited fds are gone, there is no core dump and no privilege gain.
// Each case runs in a forked child: a seccomp filter cannot be removed once installed.

#include "sandbox/Landlock.h"
#include "sandbox/ProcessHardening.h"
#include "sandbox/SeccompFilter.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <functional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <linux/kvm.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace vmm;

Q_DECLARE_METATYPE(vmm::ThreadKind)

namespace {

// Exit codes of a child that did not die: 0 all went as expected, others name the step.
constexpr int kFilterRefused = 90;

// Runs `body` in a forked child (its return value is the exit status); returns the wait status.
int runInChild(const std::function<int()>& body)
{
    pid_t child = ::fork();
    if (child < 0)
        return -1;
    if (child == 0)
        ::_exit(body());
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) { }
    return status;
}

QString describe(int status)
{
    if (WIFSIGNALED(status))
        return QString("killed by signal %1 (%2)")
            .arg(WTERMSIG(status))
            .arg(strsignal(WTERMSIG(status)));
    if (WIFEXITED(status))
        return QString("exited with %1").arg(WEXITSTATUS(status));
    return QString("status %1").arg(status);
}

bool diedOfSigsys(int status)
{
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
}

bool exitedCleanly(int status)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// A forbidden call for each case; none returns normally under the filter.
enum class Forbidden {
    Execve,
    Ptrace,
    InetSocket,
    UnixSocket,
    Fork,
    ExecutableMemory,
    WritableOpen,
    TerminalIoctl,
    KillOther,
    Unlink
};

void makeForbiddenCall(Forbidden call)
{
    switch (call) {
    case Forbidden::Execve: {
        char* const arguments[] = {const_cast<char*>("/bin/true"), nullptr};
        ::execve("/bin/true", arguments, environ);
        break;
    }
    case Forbidden::Ptrace:
        ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
        break;
    case Forbidden::InetSocket:
        ::socket(AF_INET, SOCK_STREAM, 0);
        break;
    case Forbidden::UnixSocket:
        ::socket(AF_UNIX, SOCK_STREAM, 0);
        break;
    case Forbidden::Fork:
        if (::fork() == 0)
            ::_exit(0);
        break;
    case Forbidden::ExecutableMemory:
        ::mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        break;
    case Forbidden::WritableOpen:
        ::open("/tmp/airlock-sandbox-test-must-not-exist", O_WRONLY | O_CREAT, 0600);
        break;
    case Forbidden::TerminalIoctl: {
        int bytes = 0;
        ::ioctl(0, FIONREAD, &bytes);
        break;
    }
    case Forbidden::KillOther:
        ::kill(1, 0);
        break;
    case Forbidden::Unlink:
        ::unlink("/tmp/airlock-sandbox-test-must-not-exist");
        break;
    }
}

} // namespace

Q_DECLARE_METATYPE(Forbidden)

class SandboxTest : public QObject {
    Q_OBJECT

private slots:
    void aForbiddenSyscallKillsTheProcess_data()
    {
        QTest::addColumn<ThreadKind>("kind");
        QTest::addColumn<Forbidden>("call");
        QTest::newRow("vcpu: execve") << ThreadKind::Vcpu << Forbidden::Execve;
        QTest::newRow("vcpu: ptrace") << ThreadKind::Vcpu << Forbidden::Ptrace;
        QTest::newRow("vcpu: a Unix socket") << ThreadKind::Vcpu << Forbidden::UnixSocket;
        QTest::newRow("vcpu: executable memory") << ThreadKind::Vcpu << Forbidden::ExecutableMemory;
        QTest::newRow("vcpu: an ioctl that is not KVM's")
            << ThreadKind::Vcpu << Forbidden::TerminalIoctl;
        QTest::newRow("device: execve") << ThreadKind::Device << Forbidden::Execve;
        QTest::newRow("device: an AF_INET socket") << ThreadKind::Device << Forbidden::InetSocket;
        QTest::newRow("device: opening a file to write")
            << ThreadKind::Device << Forbidden::WritableOpen;
        QTest::newRow("device: unlink") << ThreadKind::Device << Forbidden::Unlink;
        QTest::newRow("device: fork") << ThreadKind::Device << Forbidden::Fork;
        QTest::newRow("display: execve") << ThreadKind::Display << Forbidden::Execve;
        QTest::newRow("display: an AF_INET socket") << ThreadKind::Display << Forbidden::InetSocket;
        QTest::newRow("display: opening a file") << ThreadKind::Display << Forbidden::WritableOpen;
        QTest::newRow("display: unlink") << ThreadKind::Display << Forbidden::Unlink;
        QTest::newRow("display: fork") << ThreadKind::Display << Forbidden::Fork;
        QTest::newRow("display: executable memory")
            << ThreadKind::Display << Forbidden::ExecutableMemory;
        QTest::newRow("display: an ioctl that is not KVM's")
            << ThreadKind::Display << Forbidden::TerminalIoctl;
        QTest::newRow("main: execve") << ThreadKind::Main << Forbidden::Execve;
        QTest::newRow("main: ptrace") << ThreadKind::Main << Forbidden::Ptrace;
        QTest::newRow("main: an AF_INET socket") << ThreadKind::Main << Forbidden::InetSocket;
        QTest::newRow("main: fork (a process, not a thread)")
            << ThreadKind::Main << Forbidden::Fork;
        QTest::newRow("main: executable memory") << ThreadKind::Main << Forbidden::ExecutableMemory;
        QTest::newRow("main: signalling another process")
            << ThreadKind::Main << Forbidden::KillOther;
    }
    void aForbiddenSyscallKillsTheProcess()
    {
        QFETCH(ThreadKind, kind);
        QFETCH(Forbidden, call);
        int status = runInChild([&] {
            if (!installSyscallFilter(kind))
                return kFilterRefused;
            makeForbiddenCall(call);
            return 0; // survived: the filter let the call through
        });
        QVERIFY2(diedOfSigsys(status), qPrintable(describe(status)));
    }

    void theFilterCoversTheCallingThreadOnly()
    {
        // The filter is per thread (no TSYNC): a sibling thread that installed none is free.
        int status = runInChild([] {
            std::atomic<bool> installed = false;
            int fd = -1;
            std::thread other([&] {
                while (!installed)
                    std::this_thread::yield();
                fd = ::socket(AF_INET, SOCK_STREAM, 0); // forbidden to the device kind
            });
            bool ok = installSyscallFilter(ThreadKind::Device).has_value();
            installed = true;
            other.join();
            if (!ok)
                return kFilterRefused;
            return fd >= 0 ? 0 : 1;
        });
        QVERIFY2(exitedCleanly(status), qPrintable(describe(status)));
    }

    void aVcpuThreadCanDoItsWork()
    {
        int status = runInChild([] {
            int pipeFds[2];
            int event = ::eventfd(0, EFD_CLOEXEC);
            if (::pipe2(pipeFds, O_CLOEXEC) < 0 || event < 0)
                return 1;
            if (!installSyscallFilter(ThreadKind::Vcpu))
                return kFilterRefused;
            // KVM_RUN is allowed by request number: on a pipe it fails, it does not kill.
            if (::ioctl(pipeFds[0], KVM_RUN, 0) != -1 || errno != ENOTTY)
                return 2;
            uint64_t one = 1;
            if (::write(event, &one, sizeof one) != sizeof one ||
                ::read(event, &one, sizeof one) != sizeof one)
                return 3;
            std::vector<char> large(8 << 20, 'x'); // malloc through mmap, then munmap
            if (::write(pipeFds[1], large.data(), 1) != 1)
                return 4;
            large.clear();
            large.shrink_to_fit();
            timespec now {};
            if (::clock_gettime(CLOCK_MONOTONIC, &now) < 0)
                return 5;
            return 0;
        });
        QVERIFY2(exitedCleanly(status), qPrintable(describe(status)));
    }

    void aDeviceThreadCanDoItsWork()
    {
        QTemporaryDir directory;
        QByteArray dataset = directory.filePath("dataset.txt").toLocal8Bit();
        QFile file(QString::fromLocal8Bit(dataset));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("dataset bytes");
        file.close();
        int status = runInChild([&] {
            int epoll = ::epoll_create1(EPOLL_CLOEXEC);
            if (epoll < 0)
                return 1;
            if (!installSyscallFilter(ThreadKind::Device))
                return kFilterRefused;
            // The dataset fd cache opens files lazily, read-only.
            int fd = ::open(dataset.constData(), O_RDONLY | O_CLOEXEC);
            char bytes[7] {};
            if (fd < 0 || ::pread(fd, bytes, 7, 0) != 7 || std::string(bytes, 7) != "dataset")
                return 2;
            ::close(fd);
            int socket = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
            if (socket < 0)
                return 3;
            epoll_event event {EPOLLIN, {}};
            if (::epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event) < 0)
                return 4;
            epoll_event ready[4];
            if (::epoll_wait(epoll, ready, 4, 0) < 0)
                return 5;
            ::close(socket);
            uint8_t random[16];
            if (::getrandom(random, sizeof random, 0) != sizeof random)
                return 6;
            return 0;
        });
        QVERIFY2(exitedCleanly(status), qPrintable(describe(status)));
    }

    void theMainThreadStartsThreadsThatInstallTheirOwnFilters()
    {
        // As airlock-vmm will: Main's filter first, then the vCPU thread narrows its own.
        int status = runInChild([] {
            int pipeFds[2];
            if (::pipe2(pipeFds, O_CLOEXEC) < 0)
                return 1;
            if (!hardenProcess(std::array {pipeFds[0], pipeFds[1]}))
                return 2;
            if (!installSyscallFilter(ThreadKind::Main))
                return kFilterRefused;
            bool vcpuReady = false;
            std::thread vcpu([&] {
                ::prctl(PR_SET_NAME, "vcpu0", 0, 0, 0);
                vcpuReady = installSyscallFilter(ThreadKind::Vcpu).has_value() &&
                    ::write(pipeFds[1], "v", 1) == 1;
            });
            vcpu.join();
            char byte = 0;
            if (!vcpuReady || ::read(pipeFds[0], &byte, 1) != 1 || byte != 'v')
                return 3;
            // clone3 is answered ENOSYS (glibc then uses clone, whose flags the filter sees).
            if (::syscall(SYS_clone3, nullptr, 0) != -1 || errno != ENOSYS)
                return 4;
            return 0;
        });
        QVERIFY2(exitedCleanly(status), qPrintable(describe(status)));
    }

    void aVcpuThreadCannotDoWhatMainMay()
    {
        // Filters stack: under Main's, a vCPU thread's own list still forbids unlink.
        int status = runInChild([] {
            if (!installSyscallFilter(ThreadKind::Main))
                return kFilterRefused;
            std::thread vcpu([] {
                if (installSyscallFilter(ThreadKind::Vcpu))
                    makeForbiddenCall(Forbidden::Unlink);
            });
            vcpu.join();
            return 0;
        });
        QVERIFY2(diedOfSigsys(status), qPrintable(describe(status)));
    }

    void inheritedDescriptorsAreClosed()
    {
        int status = runInChild([] {
            std::vector<int> fds;
            for (int i = 0; i < 4; ++i) {
                int pipeFds[2];
                if (::pipe(pipeFds) < 0)
                    return 1;
                fds.push_back(pipeFds[0]);
                fds.push_back(pipeFds[1]);
            }
            int kept = fds[3];
            int high = ::fcntl(fds[0], F_DUPFD, 200); // a gap below, and one far up
            if (high < 0 || !closeInheritedFileDescriptors(std::array {kept, high}))
                return 2;
            for (int fd : fds) {
                bool open = ::fcntl(fd, F_GETFD) >= 0;
                if (open != (fd == kept))
                    return 3;
            }
            if (::fcntl(high, F_GETFD) < 0)
                return 4;
            for (int fd : {0, 1, 2}) {
                if (::fcntl(fd, F_GETFD) < 0)
                    return 5;
            }
            // Nothing else is open: /proc/self/fd lists 0, 1, 2, the two kept and its own.
            QDir descriptors("/proc/self/fd");
            return descriptors.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System)
                        .size() <= 6
                ? 0
                : 6;
        });
        QVERIFY2(exitedCleanly(status), qPrintable(describe(status)));
    }

    void thereIsNoCoreDumpAndNoPrivilegeGain()
    {
        int status = runInChild([] {
            if (::prctl(PR_GET_DUMPABLE) != 1 || ::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0)
                return 1; // the starting point, so the checks below can fail
            if (!hardenProcess({}))
                return 2;
            rlimit core {};
            if (::getrlimit(RLIMIT_CORE, &core) < 0 || core.rlim_cur != 0 || core.rlim_max != 0)
                return 3;
            if (::prctl(PR_GET_DUMPABLE) != 0)
                return 4;
            if (::prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
                return 5;
            return 0;
        });
        QVERIFY2(exitedCleanly(status), qPrintable(describe(status)));
    }

    void theTablesAreConsistent()
    {
        std::vector<std::string> vcpu = allowedSyscallNames(ThreadKind::Vcpu);
        std::vector<std::string> device = allowedSyscallNames(ThreadKind::Device);
        std::vector<std::string> display = allowedSyscallNames(ThreadKind::Display);
        std::vector<std::string> main = allowedSyscallNames(ThreadKind::Main);
        auto has = [](const std::vector<std::string>& names, const char* name) {
            return std::find(names.begin(), names.end(), name) != names.end();
        };
        // Main is the union: a thread started under Main's filter can still do its own work.
        for (const std::string& name : vcpu)
            QVERIFY2(has(main, name.c_str()), name.c_str());
        for (const std::string& name : device)
            QVERIFY2(has(main, name.c_str()), name.c_str());
        for (const std::string& name : display)
            QVERIFY2(has(main, name.c_str()), name.c_str());
        for (const auto* names : {&vcpu, &device, &display, &main}) {
            for (const char* never :
                {"execve", "execveat", "ptrace", "fork", "vfork", "process_vm_readv",
                    "process_vm_writev", "mount", "init_module", "bpf", "kexec_load"})
                QVERIFY2(!has(*names, never), never);
        }
        QVERIFY(has(vcpu, "ioctl") && !has(vcpu, "openat") && !has(vcpu, "socket"));
        QVERIFY(has(device, "epoll_wait") && has(device, "openat") && !has(device, "unlink"));
        QVERIFY(has(main, "unlinkat") && has(main, "rmdir"));
        // The display thread serves viewers on sockets made before the sandbox: no new sockets
        // but socket pairs, no files, no bind or listen.
        QVERIFY(has(display, "accept4") && has(display, "ppoll") && has(display, "ioctl"));
        for (const char* never : {"socket", "openat", "openat2", "bind", "listen", "connect",
                 "unlink", "clone", "seccomp"})
            QVERIFY2(!has(display, never), never);
        QCOMPARE(std::string(threadKindName(ThreadKind::Display)), std::string("display"));
        bool dirtyLog = false;
        for (const IoctlRule& rule : ioctlAllowList())
            dirtyLog |= rule.request == KVM_GET_DIRTY_LOG &&
                appliesTo(rule.kinds, ThreadKind::Display) &&
                appliesTo(rule.kinds, ThreadKind::Main) && !appliesTo(rule.kinds, ThreadKind::Vcpu);
        QVERIFY(dirtyLog);
        for (const SyscallRule& rule : syscallAllowList()) {
            QVERIFY2(rule.number >= 0, rule.name); // a real syscall on this architecture
            QVERIFY2(std::string(rule.why).size() > 10, rule.name);
        }
        for (const IoctlRule& rule : ioctlAllowList())
            QVERIFY2(std::string(rule.why).size() > 10, rule.name);
    }

    void landlockConfinesFileAccess()
    {
        int version = landlockAbiVersion();
        if (version == 0)
            QSKIP("this kernel offers no Landlock (absent or not enabled in the LSM list)");
        qInfo("Landlock ABI version %d", version);
        QTemporaryDir directory;
        QVERIFY(QDir(directory.path()).mkpath("datasets"));
        QVERIFY(QDir(directory.path()).mkpath("session"));
        QVERIFY(QDir(directory.path()).mkpath("elsewhere"));
        for (const char* name : {"datasets/a.txt", "elsewhere/b.txt"}) {
            QFile file(directory.filePath(name));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("x");
        }
        std::string root = directory.path().toStdString();
        int status = runInChild([&] {
            std::vector<std::string> readOnly {root + "/datasets"};
            std::vector<std::string> readWrite {root + "/session"};
            auto restricted = restrictFileAccess(readOnly, readWrite);
            if (!restricted || !*restricted)
                return 1;
            if (::open((root + "/datasets/a.txt").c_str(), O_RDONLY) < 0)
                return 2;
            if (::open((root + "/datasets/a.txt").c_str(), O_WRONLY) >= 0 || errno != EACCES)
                return 3;
            if (::open((root + "/session/new.img").c_str(), O_RDWR | O_CREAT, 0600) < 0)
                return 4;
            if (::unlink((root + "/session/new.img").c_str()) < 0)
                return 5;
            if (::open((root + "/elsewhere/b.txt").c_str(), O_RDONLY) >= 0 || errno != EACCES)
                return 6;
            if (::open("/etc/passwd", O_RDONLY) >= 0)
                return 7;
            return 0;
        });
        QVERIFY2(exitedCleanly(status), qPrintable(describe(status)));
    }
};

QTEST_GUILESS_MAIN(SandboxTest)
#include "tst_sandbox.moc"
