#include "CommandRunner.h"

#include "ChildTable.h"
#include "protocol/AgentProtocol.h"
#include "protocol/ErrorMessage.h"
#include "sys/UniqueFd.h"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <sys/eventfd.h>

extern char** environ;

namespace vmm::guest {

namespace {

struct Pipe {
    UniqueFd read;
    UniqueFd write;
};

Result<Pipe> makePipe()
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        return failure(Error::fromErrno("pipe2", errno));
    return Pipe {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void setNonBlocking(int fd)
{
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// PID 1's environment (PATH, HOME, TERM) with the request's entries over it.
std::vector<std::string> environmentFor(const ExecRequest& request)
{
    std::map<std::string, std::string> merged;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        std::string text(*entry);
        size_t equals = text.find('=');
        if (equals != std::string::npos)
            merged[text.substr(0, equals)] = text.substr(equals + 1);
    }
    for (const auto& [name, value] : request.environment)
        merged[name] = value;
    std::vector<std::string> result;
    for (const auto& [name, value] : merged)
        result.push_back(name + "=" + value);
    return result;
}

std::vector<char*> pointersTo(std::vector<std::string>& strings)
{
    std::vector<char*> pointers;
    for (std::string& text : strings)
        pointers.push_back(text.data());
    pointers.push_back(nullptr);
    return pointers;
}

// The spawn attributes and file actions, owned together so that both are destroyed.
class SpawnSetup {
public:
    SpawnSetup()
    {
        ::posix_spawn_file_actions_init(&m_actions);
        ::posix_spawnattr_init(&m_attributes);
    }
    ~SpawnSetup()
    {
        ::posix_spawn_file_actions_destroy(&m_actions);
        ::posix_spawnattr_destroy(&m_attributes);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;

    posix_spawn_file_actions_t m_actions;
    posix_spawnattr_t m_attributes;
};

// Reads what `fd` has now, at most one chunk. Nothing at EOF (and closes it) or when empty.
Result<std::optional<std::vector<uint8_t>>> readChunk(UniqueFd& fd)
{
    std::vector<uint8_t> buffer(kAgentStreamChunkBytes);
    ssize_t got;
    do {
        got = ::read(fd.get(), buffer.data(), buffer.size());
    } while (got < 0 && errno == EINTR);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return std::optional<std::vector<uint8_t>> {};
    if (got <= 0) {
        fd.reset();
        return std::optional<std::vector<uint8_t>> {};
    }
    buffer.resize(static_cast<size_t>(got));
    return std::optional(std::move(buffer));
}

class Execution {
public:
    Execution(FrameStream& stream, const ExecRequest& request, ChildTable& children)
        : m_stream(stream)
        , m_request(request)
        , m_children(children)
    {
    }

    Result<void> run();

private:
    Result<pid_t> spawn(int stdinFd, int stdoutFd, int stderrFd);
    Result<void> takeHostFrames();
    Result<void> pump();
    Result<void> finish(int waitStatus);
    void killGroup(int signal) const { ::kill(-m_pid, signal); }

    FrameStream& m_stream;
    const ExecRequest& m_request;
    ChildTable& m_children;
    pid_t m_pid = 0;
    UniqueFd m_notify;
    UniqueFd m_stdin;
    UniqueFd m_stdout;
    UniqueFd m_stderr;
    std::vector<uint8_t> m_stdinPending;
    size_t m_stdinWritten = 0;
    bool m_stdinEnded = false;
};

Result<pid_t> Execution::spawn(int stdinFd, int stdoutFd, int stderrFd)
{
    std::vector<std::string> argv = m_request.argv;
    std::vector<std::string> environment = environmentFor(m_request);
    std::vector<char*> argvPointers = pointersTo(argv);
    std::vector<char*> environmentPointers = pointersTo(environment);

    SpawnSetup setup;
    if (stdinFd >= 0)
        ::posix_spawn_file_actions_adddup2(&setup.m_actions, stdinFd, STDIN_FILENO);
    else
        ::posix_spawn_file_actions_addopen(
            &setup.m_actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    ::posix_spawn_file_actions_adddup2(&setup.m_actions, stdoutFd, STDOUT_FILENO);
    ::posix_spawn_file_actions_adddup2(&setup.m_actions, stderrFd, STDERR_FILENO);
    ::posix_spawn_file_actions_addchdir_np(&setup.m_actions, m_request.workingDirectory.c_str());
    // Its own session (so that signals reach its whole group), no signal blocked, every
    // disposition back to default: PID 1 blocks SIGCHLD and friends, tests ignore SIGPIPE.
    sigset_t none;
    sigset_t all;
    ::sigemptyset(&none);
    ::sigfillset(&all);
    ::posix_spawnattr_setsigmask(&setup.m_attributes, &none);
    ::posix_spawnattr_setsigdefault(&setup.m_attributes, &all);
    ::posix_spawnattr_setflags(&setup.m_attributes,
        static_cast<short>(POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));

    return m_children.spawnWatched(
        [&]() -> Result<pid_t> {
            pid_t pid = 0;
            // posix_spawnp looks argv[0] up in the agent's PATH and reports exec failures.
            int error = ::posix_spawnp(&pid, argvPointers[0], &setup.m_actions, &setup.m_attributes,
                argvPointers.data(), environmentPointers.data());
            if (error != 0)
                return failure(Error::fromErrno("exec", error, m_request.argv.front()));
            return pid;
        },
        m_notify.get());
}

Result<void> Execution::run()
{
    m_notify = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!m_notify.isValid())
        return failure(Error::fromErrno("eventfd", errno));
    Pipe output = VMM_TRY(makePipe());
    Pipe errors = VMM_TRY(makePipe());
    std::optional<Pipe> input;
    if (m_request.hasStdin)
        input = VMM_TRY(makePipe());
    m_stdinEnded = !m_request.hasStdin;

    Result<pid_t> pid =
        spawn(input ? input->read.get() : -1, output.write.get(), errors.write.get());
    if (!pid)
        return m_stream.send(ErrorMessage::fromError(ErrorMessage::kSpawn, pid.error()).toFrame());
    m_pid = *pid;
    // The child's ends are the child's now; ours close so that EOF arrives when it exits.
    output.write.reset();
    errors.write.reset();
    m_stdout = std::move(output.read);
    m_stderr = std::move(errors.read);
    setNonBlocking(m_stdout.get());
    setNonBlocking(m_stderr.get());
    if (input) {
        input->read.reset();
        m_stdin = std::move(input->write);
        setNonBlocking(m_stdin.get());
    }
    Result<void> pumped = m_stream.send(ExecStarted {m_pid}.toFrame());
    if (pumped)
        pumped = pump();
    if (!pumped)
        killGroup(SIGKILL); // the host is gone: nobody would read the output
    m_children.forget(m_pid);
    return pumped;
}

Result<void> Execution::takeHostFrames()
{
    while (m_stdinPending.size() - m_stdinWritten < CommandRunner::kStdinBufferCap) {
        std::optional<Frame> frame = m_stream.takeFrame();
        if (!frame)
            return {};
        if (frame->is(MessageKind::StdinData)) {
            if (!m_stdinEnded && m_stdin.isValid())
                m_stdinPending.insert(
                    m_stdinPending.end(), frame->payload.begin(), frame->payload.end());
        } else if (frame->is(MessageKind::StdinEnd)) {
            m_stdinEnded = true;
        } else if (frame->is(MessageKind::ExecSignal)) {
            ExecSignal signal = VMM_TRY(ExecSignal::fromJson(frame->header));
            killGroup(signal.signal);
        } else {
            return failure(Error::invalid("exec",
                "unexpected " + std::string(messageKindName(frame->kind)) +
                    " frame while a command runs"));
        }
    }
    return {};
}

Result<void> Execution::pump()
{
    bool hostOpen = true;
    for (;;) {
        VMM_TRY(takeHostFrames());
        if (m_stdinEnded && m_stdinWritten == m_stdinPending.size())
            m_stdin.reset(); // the command sees end of input
        if (auto ended = m_children.exitStatus(m_pid))
            return finish(*ended);
        if (!hostOpen)
            return failure(Error::invalid("exec", "the host closed the connection"));

        bool room = m_stdinPending.size() - m_stdinWritten < CommandRunner::kStdinBufferCap;
        bool outputFree = !m_stream.hasPendingOutput();
        std::array<pollfd, 5> fds {
            pollfd {m_stream.fd(),
                static_cast<short>((room ? POLLIN : 0) | (outputFree ? 0 : POLLOUT)), 0},
            pollfd {outputFree ? m_stdout.get() : -1, POLLIN, 0},
            pollfd {outputFree ? m_stderr.get() : -1, POLLIN, 0},
            pollfd {m_stdinWritten < m_stdinPending.size() ? m_stdin.get() : -1, POLLOUT, 0},
            pollfd {m_notify.get(), POLLIN, 0},
        };
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            return failure(Error::fromErrno("poll", errno, "exec"));
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
            hostOpen = VMM_TRY(m_stream.readAvailable());
        if (fds[1].revents != 0) {
            if (auto chunk = VMM_TRY(readChunk(m_stdout)))
                VMM_TRY(m_stream.queue(makeFrame(MessageKind::StdoutData, {}, std::move(*chunk))));
        }
        if (fds[2].revents != 0 && !m_stream.hasPendingOutput()) {
            if (auto chunk = VMM_TRY(readChunk(m_stderr)))
                VMM_TRY(m_stream.queue(makeFrame(MessageKind::StderrData, {}, std::move(*chunk))));
        }
        if (fds[3].revents != 0) {
            ssize_t written = ::write(m_stdin.get(), m_stdinPending.data() + m_stdinWritten,
                m_stdinPending.size() - m_stdinWritten);
            if (written > 0) {
                m_stdinWritten += static_cast<size_t>(written);
            } else if (written < 0 && errno != EAGAIN && errno != EINTR) {
                // EPIPE: the command closed its stdin; what the host sends next is dropped.
                m_stdin.reset();
                m_stdinEnded = true;
                m_stdinWritten = m_stdinPending.size();
            }
            // Drop what the command has taken, so the buffer holds at most the cap.
            m_stdinPending.erase(m_stdinPending.begin(),
                m_stdinPending.begin() + static_cast<ptrdiff_t>(m_stdinWritten));
            m_stdinWritten = 0;
        }
        if (fds[4].revents != 0) {
            uint64_t count = 0;
            [[maybe_unused]] ssize_t got = ::read(m_notify.get(), &count, sizeof count);
        }
        VMM_TRY(m_stream.flush());
    }
}

Result<void> Execution::finish(int waitStatus)
{
    // What the command wrote before it ended is in the pipes; take that, not what a background
    // child that kept the pipes open writes later.
    for (UniqueFd* pipe : {&m_stdout, &m_stderr}) {
        auto kind = pipe == &m_stdout ? MessageKind::StdoutData : MessageKind::StderrData;
        while (pipe->isValid()) {
            auto chunk = VMM_TRY(readChunk(*pipe));
            if (!chunk)
                break;
            VMM_TRY(m_stream.send(makeFrame(kind, {}, std::move(*chunk))));
        }
    }
    return m_stream.send(ExecExited::fromWaitStatus(waitStatus).toFrame());
}

} // namespace

Result<void> CommandRunner::run(
    FrameStream& stream, const ExecRequest& request, ChildTable& children)
{
    Execution execution(stream, request, children);
    return execution.run();
}

} // namespace vmm::guest
