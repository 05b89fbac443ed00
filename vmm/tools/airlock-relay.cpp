// airlock-relay --device PATH --fd N [--] COMMAND [ARGS...]
//
// Runs COMMAND with descriptor N as one end of a new socketpair, and pumps bytes both ways between
// the other end and the character device PATH until COMMAND exits; exits with COMMAND's status.
// The KVM lab uses it to carry airlock-vmm's control channel (--control-fd N wants a stream
// socket: it uses send/recv/shutdown) across the emulated host's virtio-serial port, whose host
// side is the app's socket. At most kBufferBytes wait in each direction: a side that does not
// read stops the other from being read. End of input from the device (the app went away) shuts
// the socket for writing, so COMMAND sees its channel close; end of input from COMMAND's side
// is passed on by closing the device once everything read has been written.

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

namespace {

constexpr size_t kBufferBytes = 64 * 1024;
constexpr int kExitRelayFailed = 125;
// How long COMMAND's last bytes may take to reach the device once it has exited.
constexpr int kDrainMilliseconds = 5000;

[[noreturn]] void die(const char* what)
{
    std::fprintf(stderr, "airlock-relay: %s: %s\n", what, std::strerror(errno));
    std::exit(kExitRelayFailed);
}

[[noreturn]] void usage()
{
    std::fprintf(stderr, "usage: airlock-relay --device PATH --fd N [--] COMMAND [ARGS...]\n");
    std::exit(2);
}

// Bytes read from one side, waiting to be written to the other.
struct Pipe {
    int from = -1;
    int to = -1;
    std::vector<char> buffer;
    bool ended = false; // `from` reached end of input (or failed)

    bool wantsInput() const { return !ended && buffer.size() < kBufferBytes; }
    bool hasOutput() const { return !buffer.empty(); }

    // Reads what `from` has; false when it will never have more.
    void read()
    {
        size_t room = kBufferBytes - buffer.size();
        size_t had = buffer.size();
        buffer.resize(had + room);
        ssize_t got = ::read(from, buffer.data() + had, room);
        buffer.resize(had + (got > 0 ? static_cast<size_t>(got) : 0));
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
            ended = true;
    }

    // Writes what it can to `to`; false when `to` is gone.
    bool write()
    {
        ssize_t sent = ::write(to, buffer.data(), buffer.size());
        if (sent < 0)
            return errno == EAGAIN || errno == EINTR;
        buffer.erase(buffer.begin(), buffer.begin() + sent);
        return true;
    }
};

int exitStatus(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace

int main(int argc, char** argv)
{
    std::string device;
    int targetFd = -1;
    int index = 1;
    for (; index < argc; ++index) {
        std::string argument = argv[index];
        if (argument == "--device" && index + 1 < argc) {
            device = argv[++index];
        } else if (argument == "--fd" && index + 1 < argc) {
            char* end = nullptr;
            long value = std::strtol(argv[++index], &end, 10);
            if (*end != '\0' || value < 3 || value > 1023)
                usage();
            targetFd = static_cast<int>(value);
        } else if (argument == "--") {
            ++index;
            break;
        } else {
            break;
        }
    }
    if (device.empty() || targetFd < 0 || index >= argc)
        usage();

    int port = ::open(device.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (port < 0)
        die(("cannot open " + device).c_str());
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        die("socketpair");
    ::signal(SIGPIPE, SIG_IGN);

    pid_t child = ::fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        ::signal(SIGPIPE, SIG_DFL);
        if (pair[1] == targetFd) {
            ::fcntl(targetFd, F_SETFD, 0);
        } else if (::dup2(pair[1], targetFd) < 0) {
            std::perror("airlock-relay: dup2");
            ::_exit(kExitRelayFailed);
        }
        ::execvp(argv[index], argv + index);
        std::fprintf(
            stderr, "airlock-relay: cannot run %s: %s\n", argv[index], std::strerror(errno));
        ::_exit(127);
    }
    ::close(pair[1]);
    int local = pair[0];
    ::fcntl(local, F_SETFL, O_NONBLOCK);
    int childFd = static_cast<int>(::syscall(SYS_pidfd_open, child, 0));
    if (childFd < 0)
        die("pidfd_open");

    Pipe toCommand {port, local, {}, false};
    Pipe toDevice {local, port, {}, false};
    bool localWriteShut = false;
    int status = 0;
    bool exited = false;
    int drainLeft = kDrainMilliseconds;
    // Once COMMAND has exited, what it wrote last still goes to the device (for a bounded time).
    while (!exited || ((toDevice.hasOutput() || !toDevice.ended) && drainLeft > 0)) {
        pollfd fds[3] = {{port, 0, 0}, {local, 0, 0}, {exited ? -1 : childFd, POLLIN, 0}};
        if (toCommand.wantsInput())
            fds[0].events |= POLLIN;
        if (toDevice.hasOutput())
            fds[0].events |= POLLOUT;
        if (toDevice.wantsInput())
            fds[1].events |= POLLIN;
        if (toCommand.hasOutput())
            fds[1].events |= POLLOUT;
        int timeout = exited ? 100 : -1;
        if (::poll(fds, 3, timeout) < 0) {
            if (errno == EINTR)
                continue;
            die("poll");
        }
        if (exited)
            drainLeft -= 100;
        // POLLHUP on the port: the host side is not connected; reading then gives end of input.
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR) && toCommand.wantsInput())
            toCommand.read();
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR) && toDevice.wantsInput())
            toDevice.read();
        if (fds[0].revents & POLLOUT && !toDevice.write())
            toDevice.buffer.clear(); // the device is gone: nobody to tell
        if (fds[1].revents & POLLOUT && !toCommand.write())
            toCommand.buffer.clear();
        if (toCommand.ended && !toCommand.hasOutput() && !localWriteShut) {
            ::shutdown(local, SHUT_WR); // the app went away: COMMAND sees its channel close
            localWriteShut = true;
        }
        if (fds[2].revents & POLLIN) {
            if (::waitpid(child, &status, 0) == child)
                exited = true;
        }
        // Both directions idle and ended: only the child's exit is left to wait for.
        if (toCommand.ended && toDevice.ended && !toCommand.hasOutput() && !toDevice.hasOutput() &&
            !exited) {
            if (::waitpid(child, &status, 0) == child)
                exited = true;
        }
    }
    ::close(port);
    return exitStatus(status);
}
