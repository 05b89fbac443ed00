// Display benchmark (issue 5): boots a guest with a screen whose command redraws the whole
// framebuffer as fast as it can (airlock-fb-animate), connects a VNC client to airlock-vmm's
// display socket, and measures
//   - frames per second delivered to a client (Raw: the server sends Unix-socket viewers Raw, as
//     ZRLE measured slower and ten times the CPU, tests/vmm/tst_display_server), twice, with a
//     fresh viewer the second time;
//   - airlock-vmm's CPU use while the screen changes: the whole process, and the process without
//     its vCPU threads (what serving the display costs; the vCPUs are the guest drawing);
//   - its CPU use once the guest holds a still frame with the client still connected (without the
//     vCPU threads, and the whole process: an idle guest's timer ticks are vCPU time).
// Prints "BENCH <name> <value> <unit>" lines. No peer runs side by side: QEMU has no display
// device for a PCI-less microVM guest like this one (its microvm machine has none), so the
// figures stand on their own, with the guest's own frame rate printed next to them.

#include "RfbTestClient.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string vmm, kernel, initramfs;
    double windowSeconds = 6;
};

// CPU seconds (user + system) of one /proc stat file.
std::optional<double> cpuSeconds(const std::string& statPath)
{
    std::ifstream file(statPath);
    std::string text;
    if (!std::getline(file, text))
        return std::nullopt;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    size_t close = text.rfind(')');
    if (close == std::string::npos)
        return std::nullopt;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    unsigned long utime = 0, stime = 0;
    for (int index = 3; fields >> field; ++index) {
        if (index == 14)
            utime = std::stoul(field);
        if (index == 15) {
            stime = std::stoul(field);
            break;
        }
    }
    return double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
}

std::string threadName(pid_t pid, const std::string& tid)
{
    std::ifstream file("/proc/" + std::to_string(pid) + "/task/" + tid + "/comm");
    std::string name;
    std::getline(file, name);
    return name;
}

// CPU seconds of the whole process and of its threads that are not vCPUs.
struct CpuUse {
    double process = 0;
    double withoutVcpus = 0;
};

std::optional<CpuUse> cpuUse(pid_t pid)
{
    auto process = cpuSeconds("/proc/" + std::to_string(pid) + "/stat");
    if (!process)
        return std::nullopt;
    CpuUse use {*process, 0};
    std::string tasks = "/proc/" + std::to_string(pid) + "/task";
    DIR* directory = ::opendir(tasks.c_str());
    if (directory == nullptr)
        return std::nullopt;
    while (dirent* entry = ::readdir(directory)) {
        std::string tid = entry->d_name;
        if (tid == "." || tid == "..")
            continue;
        if (threadName(pid, tid).rfind("airlock-vcpu", 0) == 0)
            continue;
        use.withoutVcpus += cpuSeconds(tasks + "/" + tid + "/stat").value_or(0);
    }
    ::closedir(directory);
    return use;
}

std::string readFile(const std::string& path)
{
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

struct Window {
    double fps = 0;
    double processCpuPct = 0;
    double displayCpuPct = 0;
    uint64_t updates = 0;
};

// Pumps `client` for `seconds` and measures.
std::optional<Window> measure(testsupport::RfbTestClient& client, pid_t pid, double seconds)
{
    auto before = cpuUse(pid);
    uint64_t updates = client.updates();
    auto start = Clock::now();
    auto length = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(seconds));
    client.pumpUntil(length, {});
    if (!client.error().empty()) {
        std::fprintf(stderr, "display-bench: the client failed: %s\n", client.error().c_str());
        return std::nullopt;
    }
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    auto after = cpuUse(pid);
    if (!before || !after)
        return std::nullopt;
    Window window;
    window.updates = client.updates() - updates;
    window.fps = double(window.updates) / elapsed;
    window.processCpuPct = 100 * (after->process - before->process) / elapsed;
    window.displayCpuPct = 100 * (after->withoutVcpus - before->withoutVcpus) / elapsed;
    return window;
}

int run(const Options& options)
{
    char pattern[] = "/tmp/airlock-display-bench-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) {
        std::perror("display-bench: mkdtemp");
        return 1;
    }
    std::string directory = pattern;
    std::string sessionDirectory = directory + "/session";
    std::string consolePath = directory + "/console.txt";
    std::string socketPath = sessionDirectory + "/display.sock";
    int animateSeconds = int(options.windowSeconds * 3 + 30);
    std::vector<std::string> command {options.vmm, "--kernel", options.kernel, "--initramfs",
        options.initramfs, "--memory", "256M", "--session-dir", sessionDirectory, "--display",
        "1280x800", "--", "/bin/airlock-fb-animate", "--seconds", std::to_string(animateSeconds),
        "--hold", std::to_string(int(options.windowSeconds) + 30)};
    std::vector<char*> argv;
    for (std::string& word : command)
        argv.push_back(word.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, consolePath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = 0;
    int spawned = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        std::fprintf(stderr, "display-bench: cannot start %s: %s\n", argv[0], std::strerror(spawned));
        return 1;
    }
    auto finish = [&](int status) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        if (status != 0)
            std::fprintf(stderr, "display-bench: the guest console ended with:\n%s\n",
                readFile(consolePath).substr(0, 4000).c_str());
        std::error_code ignored;
        std::filesystem::remove_all(directory, ignored);
        return status;
    };

    // Viewers come once the guest is up and drawing (as a user opens the view of a running
    // session); the socket exists from the start.
    for (auto deadline = Clock::now() + 240s;
         readFile(consolePath).find("airlock-guest: ready") == std::string::npos;) {
        if (Clock::now() > deadline) {
            std::fprintf(stderr, "display-bench: the guest did not start\n");
            return finish(1);
        }
        std::this_thread::sleep_for(200ms);
    }
    int socket = testsupport::RfbTestClient::connectUnix(socketPath);
    if (socket < 0) {
        std::fprintf(stderr, "display-bench: no display socket at %s: %s\n", socketPath.c_str(), std::strerror(errno));
        return finish(1);
    }
    std::optional<Window> raw, second, idle;
    {
        testsupport::RfbTestClient client(socket, "raw");
        if (!client.error().empty() || !client.waitForUpdates(5, 180s)) {
            std::fprintf(stderr, "display-bench: no frames over Raw: %s\n", client.error().c_str());
            return finish(1);
        }
        raw = measure(client, pid, options.windowSeconds);
    }
    {
        testsupport::RfbTestClient client(testsupport::RfbTestClient::connectUnix(socketPath), "raw");
        if (!client.error().empty() || !client.waitForUpdates(2, 30s)) {
            std::fprintf(stderr, "display-bench: the second viewer got no frames: %s\n", client.error().c_str());
            return finish(1);
        }
        second = measure(client, pid, options.windowSeconds);
        if (readFile(consolePath).find("fb-animate:") != std::string::npos) {
            std::fprintf(stderr, "display-bench: the guest stopped animating before the busy "
                                 "windows ended; raise its --seconds\n");
            return finish(1);
        }
        // Idle: the guest holds its last frame; the client stays connected.
        auto deadline = Clock::now() + std::chrono::seconds(animateSeconds + 60);
        while (readFile(consolePath).find("fb-animate:") == std::string::npos && Clock::now() < deadline)
            client.pumpUntil(500ms, {});
        client.pumpUntil(2s, {});
        idle = measure(client, pid, options.windowSeconds);
    }
    if (!raw || !second || !idle)
        return finish(1);
    std::string console = readFile(consolePath);
    size_t line = console.find("fb-animate:");
    if (line != std::string::npos)
        std::printf("# guest: %s\n", console.substr(line, console.find('\n', line) - line).c_str());
    std::printf("BENCH display_fps %.1f fps\n", raw->fps);
    std::printf("BENCH display_fps_second_viewer %.1f fps\n", second->fps);
    std::printf("BENCH display_busy_cpu_pct %.1f %%\n", raw->displayCpuPct);
    std::printf("BENCH display_busy_process_cpu_pct %.1f %%\n", raw->processCpuPct);
    std::printf("BENCH display_idle_cpu_pct %.2f %%\n", idle->displayCpuPct);
    std::printf("BENCH display_idle_process_cpu_pct %.2f %%\n", idle->processCpuPct);
    std::printf("BENCH display_idle_updates %llu updates\n", static_cast<unsigned long long>(idle->updates));
    return finish(0);
}

} // namespace

int main(int argc, char** argv)
{
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        std::string value = argv[i + 1];
        if (flag == "--vmm")
            options.vmm = value;
        else if (flag == "--kernel")
            options.kernel = value;
        else if (flag == "--initramfs")
            options.initramfs = value;
        else if (flag == "--seconds")
            options.windowSeconds = std::stod(value);
        else {
            std::fprintf(stderr, "display-bench: unknown option %s\n", flag.c_str());
            return 2;
        }
    }
    if (options.vmm.empty() || options.kernel.empty() || options.initramfs.empty()) {
        std::fprintf(stderr, "usage: display-bench --vmm FILE --kernel FILE --initramfs FILE [--seconds N]\n");
        return 2;
    }
    return run(options);
}
