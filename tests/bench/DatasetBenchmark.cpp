// Dataset benchmark: how fast a guest reads a dataset, against QEMU reading the same files.
//
// airlock-vmm shows a host folder as an EROFS disk synthesized on the fly; QEMU's microvm gets the
// same folder as an EROFS image made by mkfs.erofs, on virtio-blk over virtio-mmio. Both boot the
// same kernel, initramfs and kernel parameters and run the same guest program (dataset-reader,
// shipped in a second "tools" dataset), alternately, N times each:
// - sequential read of a large random file from a cold page cache (buffered 1 MiB reads);
// - random 4 KiB reads of distinct blocks of that file (O_DIRECT where EROFS allows it).
// The guest times itself with CLOCK_MONOTONIC (nanoseconds), so neither VMM's boot counts.
// Then airlock-vmm alone: how long a dataset takes to be mounted once the guest is ready (and,
// for reference, from starting airlock-vmm), with a 10 GiB (sparse) file and with a 10 KiB one,
// alternately. Figures are medians, printed as
// "BENCH <name> <value> <unit>"; ratios are Airlock/QEMU throughput (above 1: Airlock is faster).

#include "DatasetFixture.h"
#include "DatasetVmRun.h"
#include "boot/KernelCommandLine.h"
#include "machine/GuestParameters.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

constexpr int kReadTimeoutMs = 300000;
constexpr int kMountTimeoutMs = 120000;
constexpr const char* kGuestScript = "/datasets/tools/run.sh";

// QEMU microvm with ACPI off has one IOAPIC and eight virtio-mmio transports, 512 bytes apart
// from 0xfeb00000, on IRQs 5 to 12 (hw/i386/microvm.c, microvm_devices_init()); the transport
// index is the number in its bus name, virtio-mmio-bus.N.
constexpr uint64_t kQemuVirtioMmioBase = 0xfeb00000;
constexpr unsigned kQemuVirtioIrqBase = 5;

struct Options {
    std::string vmm, kernel, initramfs, reader, qemu = "qemu-system-x86_64";
    std::string workDirectory;
    int runs = 5;
    int memoryMiB = 512;
    uint64_t fileMiB = 256;
    uint64_t randomReads = 1000;
};

struct ReadSample {
    double sequentialMiBps = 0;
    double randomIops = 0;
    std::string randomMode;
};

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

std::string mountedLine(const std::string& name)
{
    return "dataset \"" + name + "\" mounted read-only";
}

// The reader's two result lines from one guest run, or nullopt (with the reason on stderr).
std::optional<ReadSample> readSample(const char* vmmName, const VmRun& run)
{
    auto failed = [&](const char* why) -> std::optional<ReadSample> {
        std::fprintf(stderr, "dataset-bench: %s: %s; its output ended with:\n%s\n", vmmName, why,
            run.tail().c_str());
        return std::nullopt;
    };
    if (!run.find(mountedLine("data")) || !run.find(mountedLine("tools")))
        return failed("the guest did not mount both datasets");
    const TimedLine* sequential = run.find("dataset-reader: seq ");
    const TimedLine* random = run.find("dataset-reader: rand ");
    if (!run.reached || !sequential || !random)
        return failed("the guest's reader did not finish");
    uint64_t bytes = 0, reads = 0;
    int64_t sequentialNs = 0, randomNs = 0;
    char mode[16] = {};
    if (std::sscanf(sequential->text.c_str(), "dataset-reader: seq bytes=%" SCNu64 " ns=%" SCNd64,
            &bytes, &sequentialNs) != 2 ||
        std::sscanf(random->text.c_str(),
            "dataset-reader: rand reads=%" SCNu64 " ns=%" SCNd64 " mode=%15s", &reads, &randomNs,
            mode) != 3 ||
        sequentialNs <= 0 || randomNs <= 0)
        return failed("the reader's figures do not parse");
    return ReadSample {
        static_cast<double>(bytes) / (1 << 20) / (static_cast<double>(sequentialNs) / 1e9),
        static_cast<double>(reads) / (static_cast<double>(randomNs) / 1e9), mode};
}

// The QEMU peer: the same kernel parameters airlock-vmm writes (its defaults, one
// virtio_mmio.device= per disk, the airlock.dsN= names), the disks on fixed transports.
std::vector<std::string> qemuCommand(const Options& options, const DatasetFixture& fixture)
{
    const std::vector<std::pair<std::string, std::string>> disks = {
        {"data", fixture.dataImage()}, {"tools", fixture.toolsImage()}};
    std::vector<std::string> command = {options.qemu, "-M",
        "microvm,x-option-roms=off,rtc=off,acpi=off,auto-kernel-cmdline=off", "-enable-kvm", "-cpu",
        "host", "-m", std::to_string(options.memoryMiB), "-smp", "1", "-nodefaults",
        "-no-user-config", "-nographic", "-serial", "stdio", "-kernel", options.kernel, "-initrd",
        options.initramfs};
    std::string parameters(vmm::kDefaultKernelCommandLine);
    for (size_t index = 0; index < disks.size(); ++index) {
        const std::string number = std::to_string(index);
        command.insert(command.end(),
            {"-drive",
                "id=d" + number + ",file=" + disks[index].second +
                    ",format=raw,if=none,readonly=on",
                "-device",
                "virtio-blk-device,drive=d" + number + ",serial=airlock-ds" + number +
                    ",bus=virtio-mmio-bus." + number});
        char transport[96];
        std::snprintf(transport, sizeof transport, " virtio_mmio.device=512@%#" PRIx64 ":%u",
            kQemuVirtioMmioBase + 512 * index, kQemuVirtioIrqBase + static_cast<unsigned>(index));
        parameters += transport;
        parameters += " " + vmm::datasetKernelParameter(index, disks[index].first);
    }
    command.insert(command.end(), {"-append", parameters + " -- sh " + kGuestScript});
    return command;
}

std::vector<std::string> airlockCommand(const Options& options,
    const std::vector<std::string>& datasets, const std::vector<std::string>& guestCommand)
{
    std::vector<std::string> command = {options.vmm, "--kernel", options.kernel, "--initramfs",
        options.initramfs, "--memory", std::to_string(options.memoryMiB) + "M", "--cpus", "1"};
    for (const std::string& dataset : datasets)
        command.insert(command.end(), {"--dataset", dataset});
    command.push_back("--");
    command.insert(command.end(), guestCommand.begin(), guestCommand.end());
    return command;
}

struct ReadSeries {
    const char* name;
    std::vector<std::string> command;
    std::vector<double> sequential, random;
    std::string randomMode;
};

struct MountSeries {
    const char* name;
    std::string dataset;
    std::vector<std::string> command;
    std::vector<double> mountedMs; // from the guest's readiness line to the dataset mounted
    std::vector<double> startToMountedMs; // from starting airlock-vmm (boot included)
};

bool measureReads(ReadSeries& series, int run)
{
    VmRun vm = runVm(series.command, "dataset-reader: done", kReadTimeoutMs);
    auto sample = readSample(series.name, vm);
    if (!sample)
        return false;
    const TimedLine* queue = vm.find("dataset-queue: ");
    if (run == 1 && queue)
        std::printf("dataset-bench: %s data disk, %s\n", series.name, queue->text.c_str() + 15);
    std::printf("dataset-bench: %s run %d: sequential %.1f MiB/s, random 4 KiB %.0f IOPS (%s)\n",
        series.name, run, sample->sequentialMiBps, sample->randomIops, sample->randomMode.c_str());
    std::fflush(stdout);
    series.sequential.push_back(sample->sequentialMiBps);
    series.random.push_back(sample->randomIops);
    if (!series.randomMode.empty() && series.randomMode != sample->randomMode)
        series.randomMode = "mixed";
    else
        series.randomMode = sample->randomMode;
    return true;
}

bool measureMount(MountSeries& series, int run)
{
    const std::string mounted = mountedLine(series.dataset);
    VmRun vm = runVm(series.command, mounted, kMountTimeoutMs);
    const TimedLine* line = vm.find(mounted);
    const TimedLine* ready = vm.find("airlock-guest: ready");
    if (!line || !ready) {
        std::fprintf(stderr,
            "dataset-bench: %s: the guest did not mount the dataset; its output ended with:\n%s\n",
            series.name, vm.tail().c_str());
        return false;
    }
    std::printf("dataset-bench: %s run %d: mounted %.1f ms after start (%.1f ms after the guest "
                "was ready)\n",
        series.name, run, line->ms, line->ms - ready->ms);
    std::fflush(stdout);
    series.mountedMs.push_back(line->ms - ready->ms);
    series.startToMountedMs.push_back(line->ms);
    return true;
}

std::optional<Options> parseOptions(int argc, char** argv)
{
    Options options;
    const char* temporary = std::getenv("TMPDIR");
    options.workDirectory = temporary && *temporary ? temporary : "/tmp";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i], value = argv[i + 1];
        if (key == "--vmm")
            options.vmm = value;
        else if (key == "--kernel")
            options.kernel = value;
        else if (key == "--initramfs")
            options.initramfs = value;
        else if (key == "--reader")
            options.reader = value;
        else if (key == "--qemu")
            options.qemu = value;
        else if (key == "--work-dir")
            options.workDirectory = value;
        else if (key == "--runs")
            options.runs = std::max(1, std::atoi(value.c_str()));
        else if (key == "--memory-mib")
            options.memoryMiB = std::max(128, std::atoi(value.c_str()));
        else if (key == "--file-mib")
            options.fileMiB = std::max<uint64_t>(1, std::strtoull(value.c_str(), nullptr, 10));
        else if (key == "--random-reads")
            options.randomReads = std::max<uint64_t>(1, std::strtoull(value.c_str(), nullptr, 10));
        else
            return std::nullopt;
    }
    if (options.vmm.empty() || options.kernel.empty() || options.initramfs.empty() ||
        options.reader.empty())
        return std::nullopt;
    return options;
}

} // namespace

int main(int argc, char** argv)
{
    std::optional<Options> parsed = parseOptions(argc, argv);
    if (!parsed) {
        std::fprintf(stderr,
            "usage: dataset-bench --vmm PATH --kernel PATH --initramfs PATH --reader PATH [--runs "
            "N]\n"
            "       [--file-mib M] [--random-reads N] [--memory-mib M] [--work-dir DIR] [--qemu "
            "PATH]\n");
        return 2;
    }
    const Options& options = *parsed;
    if (::access("/dev/kvm", R_OK | W_OK) != 0) {
        std::fprintf(stderr, "dataset-bench: no usable /dev/kvm; run it through tests/lab/run\n");
        return 1;
    }
    std::optional<DatasetFixture> fixture = DatasetFixture::create(
        options.workDirectory, options.reader, options.fileMiB, options.randomReads);
    if (!fixture)
        return 1;

    ReadSeries airlockReads {"airlock-vmm",
        airlockCommand(options,
            {"data=" + fixture->dataFolder(), "tools=" + fixture->toolsFolder()},
            {"sh", kGuestScript}),
        {}, {}, {}};
    ReadSeries qemuReads {"qemu-microvm", qemuCommand(options, *fixture), {}, {}, {}};
    MountSeries huge {"airlock-vmm 10 GiB dataset", "huge",
        airlockCommand(options, {"huge=" + fixture->hugeFile()}, {"sleep", "600"}), {}, {}};
    MountSeries small {"airlock-vmm 10 KiB dataset", "small",
        airlockCommand(options, {"small=" + fixture->smallFile()}, {"sleep", "600"}), {}, {}};

    // Alternate (A, B, A, B, ...) so that a slow stretch of the machine weighs on both alike.
    for (int run = 1; run <= options.runs; ++run) {
        if (!measureReads(airlockReads, run) || !measureReads(qemuReads, run)) {
            std::fprintf(stderr, "dataset-bench: a guest failed to read the dataset; no figures\n");
            return 1;
        }
    }
    for (int run = 1; run <= options.runs; ++run) {
        if (!measureMount(huge, run) || !measureMount(small, run)) {
            std::fprintf(stderr, "dataset-bench: a dataset failed to mount; no mount figures\n");
            return 1;
        }
    }

    double airlockSequential = median(airlockReads.sequential),
           qemuSequential = median(qemuReads.sequential);
    double airlockRandom = median(airlockReads.random), qemuRandom = median(qemuReads.random);
    std::printf("dataset-bench: %" PRIu64 " MiB file, %" PRIu64
                " random reads per run, random reads %s (airlock-vmm) / %s (qemu)\n",
        options.fileMiB, options.randomReads, airlockReads.randomMode.c_str(),
        qemuReads.randomMode.c_str());
    std::printf("BENCH dataset_seq_read_mibps %.1f MiB/s\n", airlockSequential);
    std::printf("BENCH qemu_dataset_seq_read_mibps %.1f MiB/s\n", qemuSequential);
    std::printf(
        "BENCH dataset_seq_read_ratio_vs_qemu %.3f x\n", airlockSequential / qemuSequential);
    std::printf("BENCH dataset_rand4k_read_iops %.0f IOPS\n", airlockRandom);
    std::printf("BENCH qemu_dataset_rand4k_read_iops %.0f IOPS\n", qemuRandom);
    std::printf("BENCH dataset_rand4k_read_ratio_vs_qemu %.3f x\n", airlockRandom / qemuRandom);
    // The dataset's own cost: the image is synthesized before boot (no data is read), the guest
    // mounts it after its readiness line. Start-to-mounted adds the whole boot, for reference.
    std::printf("BENCH dataset_mount_10g_ms %.1f ms\n", median(huge.mountedMs));
    std::printf("BENCH dataset_mount_10k_ms %.1f ms\n", median(small.mountedMs));
    std::printf("BENCH dataset_start_to_mounted_10g_ms %.1f ms\n", median(huge.startToMountedMs));
    std::printf("BENCH dataset_start_to_mounted_10k_ms %.1f ms\n", median(small.startToMountedMs));
    return 0;
}
