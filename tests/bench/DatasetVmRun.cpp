#include "DatasetVmRun.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <unistd.h>

#include <sys/wait.h>

extern char** environ;

const TimedLine* VmRun::find(std::string_view text) const
{
    for (const TimedLine& line : lines)
        if (line.text.find(text) != std::string::npos)
            return &line;
    return nullptr;
}

std::string VmRun::tail(size_t maxBytes) const
{
    std::string text;
    for (auto line = lines.rbegin(); line != lines.rend() && text.size() < maxBytes; ++line)
        text.insert(0, line->text + "\n");
    return text;
}

VmRun runVm(const std::vector<std::string>& command, std::string_view until, int timeoutMs)
{
    VmRun run;
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) < 0)
        return run;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    std::vector<char*> argv;
    for (const std::string& word : command)
        argv.push_back(const_cast<char*>(word.c_str()));
    argv.push_back(nullptr);

    const auto start = std::chrono::steady_clock::now();
    auto elapsedMs = [&] {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count();
    };
    pid_t pid = 0;
    int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipeFds[1]);
    if (spawned != 0) {
        std::fprintf(
            stderr, "dataset-bench: cannot start %s: %s\n", argv[0], std::strerror(spawned));
        ::close(pipeFds[0]);
        return run;
    }

    std::string pending; // the line being received
    while (!run.reached && elapsedMs() < timeoutMs) {
        pollfd fd {pipeFds[0], POLLIN, 0};
        if (::poll(&fd, 1, 200) <= 0)
            continue;
        char buffer[4096];
        ssize_t count = ::read(pipeFds[0], buffer, sizeof buffer);
        if (count <= 0)
            break;
        double now = elapsedMs();
        pending.append(buffer, static_cast<size_t>(count));
        size_t newline = 0;
        while ((newline = pending.find('\n')) != std::string::npos) {
            std::string text = pending.substr(0, newline);
            pending.erase(0, newline + 1);
            if (!text.empty() && text.back() == '\r')
                text.pop_back();
            run.reached = run.reached || text.find(until) != std::string::npos;
            run.lines.push_back({now, std::move(text)});
        }
    }
    if (!pending.empty())
        run.lines.push_back({elapsedMs(), pending});
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ::close(pipeFds[0]);
    return run;
}
