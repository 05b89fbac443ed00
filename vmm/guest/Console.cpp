#include "Console.h"

#include <chrono>
#include <fcntl.h>
#include <string>
#include <thread>
#include <unistd.h>

#include <linux/serial.h>
#include <sys/ioctl.h>

namespace vmm::guest {

namespace {
constexpr auto kDrainLimit = std::chrono::seconds(2);
constexpr auto kDrainPoll = std::chrono::milliseconds(5);

bool isOpen(int fd)
{
    return ::fcntl(fd, F_GETFD) >= 0;
}

// Bytes still in the tty's transmit buffer; a UART's shift register counts until it is empty.
bool outputPending(int fd)
{
    int queued = 0;
    if (::ioctl(fd, TIOCOUTQ, &queued) == 0 && queued > 0)
        return true;
    unsigned lineStatus = 0;
    if (::ioctl(fd, TIOCSERGETLSR, &lineStatus) == 0)
        return (lineStatus & TIOCSER_TEMT) == 0;
    return false;
}
} // namespace

bool Console::standardStreamsOpen()
{
    return isOpen(STDIN_FILENO) && isOpen(STDOUT_FILENO) && isOpen(STDERR_FILENO);
}

void Console::reopenStandardStreams()
{
    // No O_CLOEXEC: these become PID 1's stdio. O_NOCTTY: PID 1 must not own a terminal.
    int fd = ::open("/dev/console", O_RDWR | O_NOCTTY);
    if (fd < 0)
        return; // nowhere to say so
    for (int target = STDIN_FILENO; target <= STDERR_FILENO; ++target) {
        if (target != fd && !isOpen(target))
            ::dup2(fd, target);
    }
    if (fd > STDERR_FILENO)
        ::close(fd);
}

void Console::say(std::string_view message)
{
    std::string line = "airlock-guest: ";
    line += message;
    line += '\n';
    // One write so that lines from PID 1 and the session do not interleave mid-line.
    [[maybe_unused]] ssize_t written = ::write(STDOUT_FILENO, line.data(), line.size());
}

void Console::drain()
{
    auto deadline = std::chrono::steady_clock::now() + kDrainLimit;
    while (outputPending(STDOUT_FILENO) && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(kDrainPoll);
}

} // namespace vmm::guest
