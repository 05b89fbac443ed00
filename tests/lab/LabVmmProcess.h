#pragma once

// What the lab tests that drive airlock-vmm over its control channel share: spawning it with one
// end of a socketpair as the channel, and reading console output from the channel's events.

#include "control/ControlClient.h"
#include "control/ControlProtocol.h"
#include "sys/UniqueFd.h"

#include <chrono>
#include <fcntl.h>
#include <optional>
#include <signal.h>
#include <spawn.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include <sys/socket.h>
#include <sys/wait.h>

#include <QByteArray>
#include <QFile>
#include <QStringList>

extern char** environ;

namespace labvmm {

using namespace std::chrono_literals;

// airlock-vmm spawned with one end of a socketpair as its control channel and stdout in a file.
struct SpawnedVmm {
    pid_t pid = -1;
    vmm::UniqueFd appSide;

    SpawnedVmm() = default;
    SpawnedVmm(SpawnedVmm&& other) noexcept
        : pid(std::exchange(other.pid, -1))
        , appSide(std::move(other.appSide))
    {
    }

    // Waits for the process to end; its exit status, or -1 on timeout (then it is killed).
    int wait(std::chrono::seconds timeout)
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            int status = 0;
            pid_t done = ::waitpid(pid, &status, WNOHANG);
            if (done == pid) {
                pid = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(50ms);
        }
        return -1;
    }
    ~SpawnedVmm()
    {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
};

inline std::optional<SpawnedVmm> spawnVmm(const QStringList& arguments, const QString& stdoutPath)
{
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0)
        return std::nullopt;
    ::fcntl(pair[0], F_SETFD, FD_CLOEXEC); // the child keeps only pair[1]
    QStringList all = arguments;
    all.prepend(QString::number(pair[1]));
    all.prepend("--control-fd");
    std::vector<std::string> storage {AIRLOCK_VMM};
    for (const QString& argument : all)
        storage.push_back(argument.toStdString());
    std::vector<char*> argv;
    for (std::string& each : storage)
        argv.push_back(each.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO,
        QFile::encodeName(stdoutPath).constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    SpawnedVmm spawned;
    int failed = ::posix_spawn(&spawned.pid, AIRLOCK_VMM, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pair[1]);
    if (failed != 0) {
        ::close(pair[0]);
        return std::nullopt;
    }
    spawned.appSide = vmm::UniqueFd(pair[0]);
    return spawned;
}

// Console output events until `marker` shows up (other events are kept in `others`).
inline bool waitForConsole(vmm::ControlClient& client, QByteArray& console,
    const QByteArray& marker, std::chrono::seconds timeout,
    std::vector<vmm::Frame>* others = nullptr)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!console.contains(marker) && std::chrono::steady_clock::now() < deadline) {
        auto event = client.nextEvent(500ms);
        if (!event)
            return false;
        if (!*event)
            continue;
        if ((*event)->kind == vmm::toWire(vmm::ControlKind::ConsoleOutputBytes))
            console.append(reinterpret_cast<const char*>((*event)->payload.data()),
                static_cast<qsizetype>((*event)->payload.size()));
        else if (others)
            others->push_back(std::move(**event));
    }
    return console.contains(marker);
}

} // namespace labvmm
