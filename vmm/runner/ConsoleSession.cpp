#include "ConsoleSession.h"

#include <cerrno>
#include <csignal>
#include <poll.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

#include <sys/signalfd.h>

namespace vmm {

static constexpr uint8_t kEscapeKey = 0x01; // Ctrl-A, as in QEMU
static constexpr size_t kInputChunk = 4096;
static constexpr int kRetryInputMilliseconds = 10;

namespace {

/// Puts a terminal in raw mode for its lifetime, so keys go to the guest unchanged.
class RawTerminal {
public:
    explicit RawTerminal(int fd)
        : m_fd(fd)
    {
        if (!::isatty(fd) || ::tcgetattr(fd, &m_saved) < 0)
            return;
        termios raw = m_saved;
        ::cfmakeraw(&raw);
        m_active = ::tcsetattr(fd, TCSANOW, &raw) == 0;
    }
    ~RawTerminal()
    {
        if (m_active)
            ::tcsetattr(m_fd, TCSANOW, &m_saved);
    }
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;
    bool isActive() const { return m_active; }

private:
    int m_fd;
    termios m_saved {};
    bool m_active = false;
};

} // namespace

sigset_t hostSignals()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    return set;
}

void blockHostSignals()
{
    sigset_t set = hostSignals();
    sigaddset(&set, SIGRTMIN); // vCPU threads unblock it for themselves
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

void writeToStandardOutput(std::span<const uint8_t> bytes)
{
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t count = ::write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0 && errno == EAGAIN) {
            pollfd wait {STDOUT_FILENO, POLLOUT, 0};
            ::poll(&wait, 1, -1);
            continue;
        }
        if (count <= 0)
            return; // the reader is gone: the guest keeps running, its output has nowhere to go
        done += static_cast<size_t>(count);
    }
}

StopReason runConsoleSession(Machine& machine)
{
    sigset_t signals = hostSignals();
    int signalFd = ::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
    RawTerminal terminal(STDIN_FILENO);
    if (terminal.isActive()) {
        const char hint[] = "airlock-vmm: console attached; press Ctrl-A then x to stop the VM\r\n";
        [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, hint, sizeof hint - 1);
    }

    machine.start();
    std::vector<uint8_t> pending;
    bool inputOpen = true;
    bool escapePressed = false;
    while (!machine.stopReason()) {
        pollfd fds[3] = {
            {machine.stopEventFd(), POLLIN, 0},
            {signalFd, POLLIN, 0},
            {inputOpen && pending.empty() ? STDIN_FILENO : -1, POLLIN, 0},
        };
        int ready = ::poll(fds, 3, pending.empty() ? -1 : kRetryInputMilliseconds);
        if (ready < 0 && errno != EINTR)
            break;
        if (fds[1].revents & POLLIN) {
            signalfd_siginfo info {};
            if (::read(signalFd, &info, sizeof info) == static_cast<ssize_t>(sizeof info))
                machine.requestStop(
                    {StopReason::Kind::HostRequest, static_cast<uint8_t>(info.ssi_signo),
                        "signal " + std::to_string(info.ssi_signo)});
        }
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
            uint8_t buffer[kInputChunk];
            ssize_t count = ::read(STDIN_FILENO, buffer, sizeof buffer);
            if (count <= 0 && !(count < 0 && (errno == EINTR || errno == EAGAIN))) {
                inputOpen = false; // end of input: the guest keeps running
            } else if (count > 0) {
                for (ssize_t i = 0; i < count; ++i) {
                    uint8_t byte = buffer[i];
                    if (terminal.isActive() && escapePressed) {
                        escapePressed = false;
                        if (byte == 'x' || byte == 'X') {
                            machine.requestStop(
                                {StopReason::Kind::HostRequest, 0, "stopped from the console"});
                            break;
                        }
                        if (byte != kEscapeKey)
                            pending.push_back(kEscapeKey);
                    } else if (terminal.isActive() && byte == kEscapeKey) {
                        escapePressed = true;
                        continue;
                    }
                    pending.push_back(byte);
                }
            }
        }
        if (!pending.empty()) {
            size_t accepted = machine.queueConsoleInput(pending);
            pending.erase(pending.begin(), pending.begin() + static_cast<ptrdiff_t>(accepted));
        }
    }
    if (signalFd >= 0)
        ::close(signalFd);
    return machine.shutdown();
}

} // namespace vmm
