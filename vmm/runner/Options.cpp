#include "Options.h"

#include "machine/ConfigFile.h"
#include "machine/StopReason.h"

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
  -h, --help         show this help
  --version          show the version

Exit status:
  the guest command's status, or 0 when the guest powered off or rebooted;
  1 when the VM could not start (no KVM, bad kernel, bad initramfs, ...);
  2 for a usage error; 125 when the guest failed (kernel panic, triple fault,
  KVM error); 128+N when airlock-vmm was stopped by signal N.
)";
}

static Result<uint32_t> parseCount(const std::string& text)
{
    uint32_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        return failure(Error::invalid("--cpus", "'" + text + "' is not a number"));
    return value;
}

Result<Options> parseOptions(std::span<const std::string> arguments)
{
    Options options;
    std::optional<std::string> configPath;
    // Options that override the config file, applied after it is read.
    std::optional<std::string> kernel, initrd, commandLine, memory, cpus, kvm;
    std::optional<std::vector<std::string>> command;

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
        options.machine.vcpuCount = VMM_TRY(parseCount(*cpus));
    if (kvm)
        options.machine.kvmDevicePath = *kvm;
    if (command)
        options.machine.command = *command;
    if (options.machine.kernelPath.empty())
        return failure(Error::invalid("airlock-vmm", "no kernel given; pass --kernel FILE or --config FILE"));
    return options;
}

} // namespace vmm
