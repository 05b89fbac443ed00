#include "SessionCommand.h"

#include "Console.h"
#include "ExitStatus.h"
#include "InitSignals.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <linux/vt.h>
#include <sys/ioctl.h>

namespace vmm::guest {

namespace {

// /dev/console can never be a controlling terminal; the UART behind it (console=ttyS0) can, and
// so can a virtual terminal.
constexpr const char* kFallbackTerminal = "/dev/console";

// Runs in the child: makes the terminal its own, on fds 0, 1 and 2. A virtual terminal is first
// brought to the front, so that what the command writes is what the display shows.
void takeTerminal(const char* path, bool virtualTerminal)
{
    ::setsid();
    int fd = ::open(path, O_RDWR);
    if (fd >= 0 && virtualTerminal &&
        ::ioctl(fd, VT_ACTIVATE, SessionTerminal::kVirtualTerminal) < 0)
        Console::say(std::string(path) + ": VT_ACTIVATE: " + std::strerror(errno));
    if (fd < 0 || ::ioctl(fd, TIOCSCTTY, 0) < 0) {
        Console::say(std::string(path) + ": " + std::strerror(errno) + "; no job control");
        if (fd >= 0)
            ::close(fd);
        fd = ::open(kFallbackTerminal, O_RDWR | O_NOCTTY);
    }
    if (fd < 0)
        return; // keep PID 1's console fds
    for (int target = STDIN_FILENO; target <= STDERR_FILENO; ++target)
        ::dup2(fd, target);
    if (fd > STDERR_FILENO)
        ::close(fd);
}

[[noreturn]] void runChild(const char* program, char* const* argv, const SessionTerminal& terminal)
{
    InitSignals::unblockAllInChild();
    takeTerminal(terminal.devicePath(), terminal.isDisplay());
    ::execvp(program, argv);
    int error = errno;
    // A shell's wording and status, so that the host sees 127 for a command that is not there.
    Console::say(
        std::string(program) + ": " + (error == ENOENT ? "not found" : std::strerror(error)));
    ::_exit(ExitStatus::fromExecError(error).value());
}

} // namespace

size_t SessionCommand::countCommandWords(std::string_view line)
{
    auto isSpace = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || static_cast<unsigned char>(c) == 0xa0;
    };
    size_t position = 0;
    bool afterSeparator = false;
    size_t words = 0;
    for (;;) {
        while (position < line.size() && isSpace(line[position]))
            ++position;
        if (position >= line.size())
            break;
        size_t start = position;
        bool inQuote = false;
        while (position < line.size() && (inQuote || !isSpace(line[position]))) {
            if (line[position] == '"')
                inQuote = !inQuote;
            ++position;
        }
        if (afterSeparator)
            ++words;
        else if (line.substr(start, position - start) == "--")
            afterSeparator = true;
    }
    return words;
}

SessionCommand SessionCommand::fromInitArguments(int argc, char** argv, size_t commandWords)
{
    size_t available = argc > 1 ? static_cast<size_t>(argc - 1) : 0;
    commandWords = std::min(commandWords, available);
    if (commandWords == 0)
        return SessionCommand("/bin/sh", {"-sh"}); // a leading '-' makes it a login shell
    std::vector<std::string> words(argv + argc - static_cast<ptrdiff_t>(commandWords), argv + argc);
    std::string program = words.front();
    return SessionCommand(std::move(program), std::move(words));
}

Result<pid_t> SessionCommand::start(const SessionTerminal& terminal) const
{
    // Built before fork so the child only makes system calls.
    std::vector<char*> argv;
    for (const std::string& argument : m_arguments)
        argv.push_back(const_cast<char*>(argument.c_str())); // Safety: exec copies, never writes
    argv.push_back(nullptr);

    pid_t pid = ::fork();
    if (pid < 0)
        return failure(Error::fromErrno("fork", errno, m_program));
    if (pid == 0)
        runChild(m_program.c_str(), argv.data(), terminal);
    return pid;
}

} // namespace vmm::guest
