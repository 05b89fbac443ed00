// Boot benchmark: boots the same kernel and initramfs to the guest's readiness line N times with
// airlock-vmm and with QEMU's microvm machine, side by side in one run, and reports the median
// boot times, their ratio, and each VMM's memory overhead (process RSS minus the guest RAM it
// touched) as "BENCH <name> <value> <unit>" lines.

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

constexpr const char* kReadyLine = "airlock-guest: ready";
constexpr int kBootTimeoutMs = 120000;

struct Sample {
    double bootMs = 0;
    double overheadMiB = 0;
};

struct Options {
    std::string vmm, kernel, initramfs, qemu = "qemu-system-x86_64";
    int runs = 5;
    int memoryMiB = 512;
};

// Total RSS of `pid` and the RSS of its guest RAM mapping (the largest mapping at least as big as
// the guest's memory: an anonymous mapping for both VMMs), in KiB.
std::optional<std::pair<long, long>> memoryUse(pid_t pid, long guestKiB)
{
    std::ifstream smaps("/proc/" + std::to_string(pid) + "/smaps");
    if (!smaps)
        return std::nullopt;
    long total = 0, guest = 0, currentSize = 0, bestSize = 0;
    bool current = false;
    std::string line;
    while (std::getline(smaps, line)) {
        unsigned long start = 0, end = 0;
        // Mapping header lines start "start-end perms ..."; field lines start with a "Name:".
        if (std::sscanf(line.c_str(), "%lx-%lx", &start, &end) == 2) {
            currentSize = static_cast<long>((end - start) / 1024);
            current = currentSize >= guestKiB && currentSize > bestSize;
            continue;
        }
        long value = 0;
        if (std::sscanf(line.c_str(), "Rss: %ld kB", &value) == 1) {
            total += value;
            if (current) {
                guest = value;
                bestSize = currentSize;
            }
        }
    }
    return std::make_pair(total, guest);
}

std::optional<Sample> bootOnce(const std::vector<std::string>& command, long guestKiB)
{
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) < 0)
        return std::nullopt;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipeFds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    std::vector<char*> argv;
    for (const std::string& word : command)
        argv.push_back(const_cast<char*>(word.c_str()));
    argv.push_back(nullptr);

    auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipeFds[1]);
    if (spawned != 0) {
        std::fprintf(stderr, "boot-bench: cannot start %s: %s\n", argv[0], std::strerror(spawned));
        ::close(pipeFds[0]);
        return std::nullopt;
    }

    std::string output;
    std::optional<Sample> sample;
    for (;;) {
        auto elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        if (elapsed > kBootTimeoutMs)
            break;
        pollfd fd { pipeFds[0], POLLIN, 0 };
        if (::poll(&fd, 1, 1000) <= 0)
            continue;
        char buffer[4096];
        ssize_t count = ::read(pipeFds[0], buffer, sizeof buffer);
        if (count <= 0)
            break;
        output.append(buffer, static_cast<size_t>(count));
        if (output.find(kReadyLine) != std::string::npos) {
            double bootMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
            auto use = memoryUse(pid, guestKiB);
            if (use)
                sample = Sample { bootMs, static_cast<double>(use->first - use->second) / 1024.0 };
            break;
        }
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ::close(pipeFds[0]);
    if (!sample)
        std::fprintf(stderr, "boot-bench: %s did not reach the readiness line; its output ended with:\n%s\n",
            argv[0], output.substr(output.size() > 2000 ? output.size() - 2000 : 0).c_str());
    return sample;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

struct Series {
    const char* name;
    std::vector<std::string> command;
    std::vector<double> boots, overheads;
};

// Runs the two VMMs alternately (A, B, A, B, ...) so that a slow stretch of the machine weighs on
// both alike; returns false when a boot fails.
bool measureInterleaved(Series& first, Series& second, int runs, long guestKiB)
{
    for (int i = 0; i < runs; ++i) {
        for (Series* series : { &first, &second }) {
            auto sample = bootOnce(series->command, guestKiB);
            if (!sample)
                return false;
            std::printf("boot-bench: %s run %d: %.1f ms to ready, overhead %.2f MiB\n", series->name, i + 1,
                sample->bootMs, sample->overheadMiB);
            std::fflush(stdout);
            series->boots.push_back(sample->bootMs);
            series->overheads.push_back(sample->overheadMiB);
        }
    }
    return true;
}

} // namespace

int main(int argc, char** argv)
{
    Options options;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i], value = argv[i + 1];
        if (key == "--vmm") options.vmm = value;
        else if (key == "--kernel") options.kernel = value;
        else if (key == "--initramfs") options.initramfs = value;
        else if (key == "--qemu") options.qemu = value;
        else if (key == "--runs") options.runs = std::max(1, std::atoi(value.c_str()));
        else if (key == "--memory-mib") options.memoryMiB = std::max(64, std::atoi(value.c_str()));
    }
    if (options.vmm.empty() || options.kernel.empty() || options.initramfs.empty()) {
        std::fprintf(stderr, "usage: boot-bench --vmm PATH --kernel PATH --initramfs PATH [--runs N] [--memory-mib M] [--qemu PATH]\n");
        return 2;
    }
    if (::access("/dev/kvm", R_OK | W_OK) != 0) {
        std::fprintf(stderr, "boot-bench: no usable /dev/kvm; run it through tests/lab/run\n");
        return 1;
    }

    // The same guest command line for both: Airlock's defaults, then a command that waits.
    const std::string guestCommand = "sleep 600";
    const std::string memory = std::to_string(options.memoryMiB);
    const long guestKiB = long { options.memoryMiB } * 1024;
    std::vector<std::string> airlock = { options.vmm, "--kernel", options.kernel, "--initramfs", options.initramfs,
        "--memory", memory + "M", "--cpus", "1", "--", "sleep", "600" };
    std::vector<std::string> qemu = { options.qemu, "-M", "microvm,x-option-roms=off,rtc=off", "-enable-kvm",
        "-cpu", "host", "-m", memory, "-smp", "1", "-nodefaults", "-no-user-config", "-nographic",
        "-serial", "stdio", "-kernel", options.kernel, "-initrd", options.initramfs, "-append",
        "console=ttyS0 reboot=k panic=-1 quiet -- " + guestCommand };

    Series airlockSeries { "airlock-vmm", airlock, {}, {} };
    Series qemuSeries { "qemu-microvm", qemu, {}, {} };
    if (!measureInterleaved(airlockSeries, qemuSeries, options.runs, guestKiB)) {
        std::fprintf(stderr, "boot-bench: a VMM failed to boot; no figures\n");
        return 1;
    }
    double airlockBoot = median(airlockSeries.boots), qemuBoot = median(qemuSeries.boots);
    std::printf("BENCH boot_median_ms %.1f ms\n", airlockBoot);
    std::printf("BENCH qemu_boot_median_ms %.1f ms\n", qemuBoot);
    std::printf("BENCH boot_ratio_vs_qemu %.3f x\n", airlockBoot / qemuBoot);
    std::printf("BENCH vmm_overhead_mib %.2f MiB\n", median(airlockSeries.overheads));
    std::printf("BENCH qemu_overhead_mib %.2f MiB\n", median(qemuSeries.overheads));
    return 0;
}
