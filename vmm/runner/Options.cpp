#include "Options.h"

#include "machine/ConfigFile.h"
#include "machine/GuestParameters.h"
#include "machine/StopReason.h"

#include <sys/stat.h>

#include <charconv>
#include <optional>

namespace vmm {

std::string usageText()
{
    return R"(Usage: airlock-vmm [OPTIONS] [-- COMMAND [ARGUMENT...]]

Runs one Airlock microVM under KVM with the guest console on this terminal.
COMMAND runs inside the guest (default: an interactive shell); its exit status
becomes airlock-vmm's. Press Ctrl-A then x to stop the VM from the terminal.

Options:
  --config FILE      read the machine from a JSON file (keys: kernel, initramfs,
                     cmdline, memory, vcpus, command); other options override it
  --kernel FILE      guest kernel (an x86 bzImage)
  --initramfs FILE   guest initramfs (also --initrd)
  --cmdline TEXT     kernel parameters appended to Airlock's defaults
  --memory SIZE      guest memory, in MiB or with a unit: 512M, 2G (default 512M)
  --cpus N           number of vCPUs, 1 to 32 (default 1)
  --kvm PATH         the KVM device (default /dev/kvm)
  --dataset [NAME=]PATH
                     show a host folder or file to the guest, read-only, at
                     /datasets/NAME (default NAME: the last part of PATH);
                     nothing of it is copied; may be repeated
  --scratch SIZE     an encrypted scratch disk of SIZE for the guest's /work
                     and /outbox (e.g. 1G); its key never leaves this process
  --session-dir DIR  the session's runtime directory (scratch file, vsock
                     socket); created, and removed when the session is shredded
  --spare-dataset-slots N
                     empty read-only disks made at boot for datasets the app adds
                     while the session runs (default 4, 0 = none; fewer when the
                     virtio slots run out; only with --session-dir,
                     --control-fd and AIRLOCK_DATASET_GRANT_KEY)
  --display [WxH]    give the guest a screen of W x H pixels (default 1280x800):
                     a linear framebuffer (/dev/fb0, with the framebuffer
                     console), a virtio-input keyboard and tablet, and a VNC
                     server on DIR/display.sock (needs --session-dir)
  --display-socket PATH
                     the VNC server's Unix socket instead of DIR/display.sock
  --display-tcp PORT also serve VNC on 127.0.0.1:PORT (0: any free port), with
                     the password in AIRLOCK_DISPLAY_PASSWORD; off by default
  --display-fps N    send viewers at most N updates a second (1-60, default 30)
  --command-on-display
                     run the guest command on the screen's terminal (tty1)
                     instead of the serial console
  --control-fd N     the app's control channel (a connected stream socket)
  --shred-report FILE
                     write the shred report (JSON) to FILE (default: stderr)
  --manifest-report FILE
                     write each dataset's SHA-256 manifest, and what changed in
                     it during the session, to FILE (JSON)
  -h, --help         show this help
  --version          show the version

Environment:
  AIRLOCK_DATASET_GRANT_KEY
                     64 hex digits: the session's key for datasets added while
                     it runs (with --control-fd). airlock-vmm reads it, removes
                     it from its environment, and hands it to a small confined
                     helper process that opens a dataset only when the app's
                     grant (HMAC-SHA256 with this key) matches. Without it,
                     adding a dataset to a running session is refused.
  AIRLOCK_DISPLAY_PASSWORD
                     the VNC password of --display-tcp viewers (VNC uses its
                     first 8 characters); read and removed at start.

Exit status:
  the guest command's status, or 0 when the guest powered off or rebooted;
  1 when the VM could not start (no KVM, bad kernel, bad initramfs, ...);
  2 for a usage error; 125 when the guest failed (kernel panic, triple fault,
  KVM error); 128+N when airlock-vmm was stopped by signal N.
)";
}

static Result<uint32_t> parseCount(const char* option, const std::string& text)
{
    uint32_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        return failure(Error::invalid(option, "'" + text + "' is not a number"));
    return value;
}

// "[NAME=]PATH": a whole argument that names an existing path is a path, even with '=' in it.
static Result<DatasetConfig> parseDataset(const std::string& text)
{
    struct stat status {};
    DatasetConfig dataset;
    auto equals = text.find('=');
    if (::stat(text.c_str(), &status) == 0 || equals == std::string::npos) {
        dataset.hostPath = text;
        dataset.name = defaultDatasetName(text);
    } else {
        dataset.name = text.substr(0, equals);
        dataset.hostPath = text.substr(equals + 1);
    }
    if (dataset.hostPath.empty())
        return failure(Error::invalid("--dataset", "no path given"));
    auto valid = validateDatasetName(dataset.name);
    if (!valid)
        return failure(valid.error().withContext("--dataset " + text));
    return dataset;
}

Result<Options> parseOptions(std::span<const std::string> arguments)
{
    Options options;
    std::optional<std::string> configPath;
    // Options that override the config file, applied after it is read.
    std::optional<std::string> kernel, initrd, commandLine, memory, cpus, kvm;
    std::optional<std::vector<std::string>> command;
    std::optional<std::string> scratch, sessionDirectory;
    std::optional<uint32_t> spareSlots;
    std::vector<DatasetConfig> datasets;
    std::optional<std::string> display, displaySocket;
    std::optional<uint32_t> displayTcp, displayFps;
    bool commandOnDisplay = false;

    for (size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        auto value = [&](const char* name) -> Result<std::string> {
            if (i + 1 >= arguments.size())
                return failure(Error::invalid(name, "needs a value"));
            return arguments[++i];
        };
        if (argument == "-h" || argument == "--help") {
            options.action = Options::Action::Help;
            return options;
        }
        if (argument == "--version") {
            options.action = Options::Action::Version;
            return options;
        }
        if (argument == "--") {
            command = std::vector<std::string>(arguments.begin() + static_cast<ptrdiff_t>(i) + 1, arguments.end());
            break;
        }
        if (argument == "--config")
            configPath = VMM_TRY(value("--config"));
        else if (argument == "--kernel")
            kernel = VMM_TRY(value("--kernel"));
        else if (argument == "--initramfs" || argument == "--initrd")
            initrd = VMM_TRY(value("--initramfs"));
        else if (argument == "--cmdline")
            commandLine = VMM_TRY(value("--cmdline"));
        else if (argument == "--memory")
            memory = VMM_TRY(value("--memory"));
        else if (argument == "--cpus")
            cpus = VMM_TRY(value("--cpus"));
        else if (argument == "--kvm")
            kvm = VMM_TRY(value("--kvm"));
        else if (argument == "--dataset")
            datasets.push_back(VMM_TRY(parseDataset(VMM_TRY(value("--dataset")))));
        else if (argument == "--scratch")
            scratch = VMM_TRY(value("--scratch"));
        else if (argument == "--session-dir")
            sessionDirectory = VMM_TRY(value("--session-dir"));
        else if (argument == "--spare-dataset-slots")
            spareSlots = VMM_TRY(
                parseCount("--spare-dataset-slots", VMM_TRY(value("--spare-dataset-slots"))));
        else if (argument == "--display") {
            // The size is optional: a following word that is not an option is the size.
            if (i + 1 < arguments.size() && !arguments[i + 1].empty() && arguments[i + 1][0] != '-')
                display = arguments[++i];
            else
                display = FramebufferGeometry {}.toString();
        } else if (argument == "--display-socket")
            displaySocket = VMM_TRY(value("--display-socket"));
        else if (argument == "--display-tcp")
            displayTcp = VMM_TRY(parseCount("--display-tcp", VMM_TRY(value("--display-tcp"))));
        else if (argument == "--display-fps")
            displayFps = VMM_TRY(parseCount("--display-fps", VMM_TRY(value("--display-fps"))));
        else if (argument == "--command-on-display")
            commandOnDisplay = true;
        else if (argument == "--control-fd")
            options.controlFd = static_cast<int>(VMM_TRY(parseCount("--control-fd", VMM_TRY(value("--control-fd")))));
        else if (argument == "--shred-report")
            options.shredReportPath = VMM_TRY(value("--shred-report"));
        else if (argument == "--manifest-report")
            options.manifestReportPath = VMM_TRY(value("--manifest-report"));
        else
            return failure(Error::invalid(argument, "unknown option"));
    }

    if (configPath)
        options.machine = VMM_TRY(loadMachineConfig(*configPath));
    if (kernel)
        options.machine.kernelPath = *kernel;
    if (initrd)
        options.machine.initrdPath = *initrd;
    if (commandLine)
        options.machine.commandLineAppend = *commandLine;
    if (memory)
        options.machine.memoryBytes = VMM_TRY(parseMemorySize(*memory));
    if (cpus)
        options.machine.vcpuCount = VMM_TRY(parseCount("--cpus", *cpus));
    if (kvm)
        options.machine.kvmDevicePath = *kvm;
    if (command)
        options.machine.command = *command;
    for (DatasetConfig& dataset : datasets)
        options.machine.datasets.push_back(std::move(dataset));
    if (scratch)
        options.machine.scratchBytes = VMM_TRY(parseMemorySize(*scratch));
    if (sessionDirectory)
        options.machine.sessionDirectory = *sessionDirectory;
    if (spareSlots) {
        if (*spareSlots > kMaxSpareDatasetSlots)
            return failure(Error::invalid(
                "--spare-dataset-slots", "at most " + std::to_string(kMaxSpareDatasetSlots)));
        options.machine.spareDatasetSlots = *spareSlots;
    }
    if (display) {
        DisplayConfig screen;
        auto geometry = FramebufferGeometry::parse(*display);
        if (!geometry)
            return failure(geometry.error().withContext("--display"));
        screen.geometry = *geometry;
        if (displaySocket)
            screen.socketPath = *displaySocket;
        else if (!options.machine.sessionDirectory.empty())
            screen.socketPath = options.machine.sessionDirectory + "/" + kDisplaySocketName;
        else
            return failure(Error::invalid("--display",
                "needs --session-dir DIR (the VNC socket goes there) or --display-socket PATH"));
        if (displayTcp) {
            if (*displayTcp > 65535)
                return failure(Error::invalid("--display-tcp", "a port is 0 to 65535"));
            screen.tcpPort = static_cast<uint16_t>(*displayTcp);
        }
        if (displayFps) {
            if (*displayFps < 1 || *displayFps > 60)
                return failure(Error::invalid("--display-fps", "between 1 and 60 updates a second"));
            screen.maxFramesPerSecond = *displayFps;
        }
        screen.commandOnDisplay = commandOnDisplay;
        options.machine.display = screen;
    } else if (displaySocket || displayTcp || displayFps || commandOnDisplay) {
        return failure(Error::invalid("--display-socket, --display-tcp, --display-fps, --command-on-display",
            "need --display: this session has no screen"));
    }
    if (options.machine.scratchBytes && options.machine.sessionDirectory.empty())
        return failure(Error::invalid("--scratch", "needs --session-dir DIR for the encrypted scratch file"));
    if (options.machine.kernelPath.empty())
        return failure(Error::invalid("airlock-vmm", "no kernel given; pass --kernel FILE or --config FILE"));
    return options;
}

} // namespace vmm
