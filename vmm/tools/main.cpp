// airlock-vmm: runs one Airlock microVM under KVM (see --help).

#include "machine/MachineBuilder.h"
#include "runner/ConsoleSession.h"
#include "runner/Options.h"

#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv)
{
    std::vector<std::string> arguments(argv + 1, argv + argc);
    auto options = vmm::parseOptions(arguments);
    if (!options) {
        std::fprintf(stderr, "airlock-vmm: error: %s\nTry 'airlock-vmm --help'.\n",
            options.error().message().c_str());
        return vmm::kExitUsage;
    }
    if (options->action == vmm::Options::Action::Help) {
        std::fputs(vmm::usageText().c_str(), stdout);
        return 0;
    }
    if (options->action == vmm::Options::Action::Version) {
        std::puts("airlock-vmm " AIRLOCK_VERSION);
        return 0;
    }

    vmm::blockHostSignals();
    auto machine = vmm::buildMachine(options->machine, vmm::writeToStandardOutput);
    if (!machine) {
        std::fprintf(stderr, "airlock-vmm: error: %s\n", machine.error().message().c_str());
        return vmm::kExitStartFailed;
    }
    vmm::StopReason reason = vmm::runConsoleSession(**machine);
    if (reason.exitCode() != 0 && reason.kind != vmm::StopReason::Kind::GuestExit)
        std::fprintf(stderr, "airlock-vmm: %s\n", reason.description().c_str());
    return reason.exitCode();
}
