// airlock-vmm: runs one Airlock microVM under KVM (see --help).

#include "broker/DatasetBroker.h"
#include "broker/GrantKey.h"
#include "control/ControlEvents.h"
#include "machine/DeviceThread.h"
#include "machine/MachineBuilder.h"
#include "machine/VcpuThread.h"
#include "runner/ConsoleSession.h"
#include "runner/ControlSession.h"
#include "runner/DatasetManifests.h"
#include "runner/SessionDisplay.h"
#include "runner/Options.h"
#include "runner/SessionShred.h"
#include "sandbox/Landlock.h"
#include "sandbox/ProcessHardening.h"
#include "sandbox/SeccompFilter.h"

#include <cstdio>
#include <cstdlib>
#include <pthread.h>
#include <string>
#include <vector>

namespace {

// A thread that cannot install its filter must not run the guest unconfined.
template<vmm::ThreadKind kind>
void installFilterOrDie()
{
    if (auto installed = vmm::installSyscallFilter(kind); !installed) {
        std::fprintf(stderr, "airlock-vmm: error: %s\n", installed.error().message().c_str());
        std::_Exit(vmm::kExitStartFailed);
    }
}

std::string parentDirectory(const std::string& path)
{
    auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// Files the running VM may touch: datasets (read lazily), /proc (metrics), the session directory
// and the shred report's folder. Everything else was opened while building.
vmm::Result<bool> confineFileAccess(const vmm::Options& options)
{
    std::vector<std::string> readOnly { "/proc" };
    for (const vmm::DatasetConfig& dataset : options.machine.datasets)
        readOnly.push_back(dataset.hostPath);
    std::vector<std::string> readWrite;
    if (!options.machine.sessionDirectory.empty())
        readWrite.push_back(options.machine.sessionDirectory);
    if (!options.shredReportPath.empty())
        readWrite.push_back(parentDirectory(options.shredReportPath));
    if (!options.manifestReportPath.empty())
        readWrite.push_back(parentDirectory(options.manifestReportPath));
    // The session directory itself is removed when the session is shredded.
    std::vector<std::string> removable(readWrite.begin(), readWrite.begin() + (options.machine.sessionDirectory.empty() ? 0 : 1));
    return vmm::restrictFileAccess(readOnly, readWrite, removable);
}

// What the app records of a dataset checked at the end: the paths that changed, vanished or
// appeared, cut to what one control frame carries (the manifest report file has them all).
vmm::DatasetVerifyEvent datasetVerifyEvent(const std::string& name, const vmm::ManifestDifferences& differences)
{
    constexpr size_t kPathBudgetBytes = 48 * 1024;
    size_t budget = kPathBudgetBytes;
    auto take = [&budget](const std::vector<std::string>& paths) {
        std::vector<std::string> taken;
        for (const std::string& path : paths) {
            if (taken.size() == vmm::DatasetVerifyEvent::kMaxPaths || path.size() + 8 > budget)
                break;
            budget -= path.size() + 8;
            taken.push_back(path);
        }
        return taken;
    };
    vmm::DatasetVerifyEvent event;
    event.name = name;
    event.changed = take(differences.changed);
    event.vanished = take(differences.vanished);
    event.added = take(differences.added);
    return event;
}

// Says which files of a dataset changed or vanished during the session (never hidden), and
// writes the manifests for the audit trail.
void reportDatasetChanges(const std::vector<vmm::DatasetManifests::Outcome>& outcomes, const std::string& path)
{
    for (const auto& outcome : outcomes) {
        if (!outcome.differences || outcome.differences->isEmpty())
            continue;
        const auto& changes = *outcome.differences;
        std::fprintf(stderr, "airlock-vmm: dataset '%s' changed on the host during the session: %zu changed, "
                             "%zu vanished, %zu added (see the manifest report)\n",
            outcome.name.c_str(), changes.changed.size(), changes.vanished.size(), changes.added.size());
    }
    if (path.empty())
        return;
    if (auto written = vmm::writeTextFileAtomically(vmm::DatasetManifests::toJson(outcomes) + "\n", path); !written)
        std::fprintf(stderr, "airlock-vmm: error: %s\n", written.error().message().c_str());
}

} // namespace

// Every thread of the engine gets a 1 MiB stack. The default 8 MiB stack mapping, when it happens
// to end on a 2 MiB boundary (as it does right below the 2 MiB-aligned guest RAM), gets a
// transparent huge page for its first touched page: 2 MiB of memory per thread for a few KiB of
// stack. A mapping under 2 MiB never holds a huge page, and no engine thread recurses deeply
// (control JSON nesting is capped by the frame decoder).
static void useSmallThreadStacks()
{
    constexpr size_t kThreadStackBytes = 1u << 20;
    pthread_attr_t attributes;
    if (::pthread_attr_init(&attributes) != 0)
        return;
    if (::pthread_attr_setstacksize(&attributes, kThreadStackBytes) == 0)
        (void)::pthread_setattr_default_np(&attributes);
    ::pthread_attr_destroy(&attributes);
}

int main(int argc, char** argv)
{
    useSmallThreadStacks();
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

    // Before anything else is opened: nothing inherited but stdio and the control channel, no
    // privilege gain, no core dump (guest RAM and the scratch key live in this process).
    std::vector<int> keep;
    if (options->controlFd >= 0)
        keep.push_back(options->controlFd);
    if (auto hardened = vmm::hardenProcess(keep); !hardened) {
        std::fprintf(stderr, "airlock-vmm: error: %s\n", hardened.error().message().c_str());
        return vmm::kExitStartFailed;
    }
    // The dataset grant key leaves the environment at once (children and /proc/self/environ never
    // see it again); the broker, forked now while this process is single-threaded and has seen no
    // guest input, keeps the only copy. Hot-add needs the app: only with a control channel.
    std::unique_ptr<vmm::DatasetBroker> broker;
    {
        auto key = vmm::takeGrantKeyFromEnvironment();
        if (!key) {
            std::fprintf(stderr, "airlock-vmm: error: %s\n", key.error().message().c_str());
            return vmm::kExitStartFailed;
        }
        if (*key && options->controlFd >= 0) {
            auto started = vmm::DatasetBroker::start(**key);
            vmm::wipeGrantKey(**key);
            if (!started) {
                std::fprintf(stderr, "airlock-vmm: error: %s\n", started.error().message().c_str());
                return vmm::kExitStartFailed;
            }
            broker = std::move(*started);
        } else if (*key) {
            vmm::wipeGrantKey(**key);
        }
    }
    // The display password leaves the environment as early as the grant key.
    if (options->machine.display) {
        if (auto taken = vmm::takeDisplayPassword(*options->machine.display); !taken) {
            std::fprintf(stderr, "airlock-vmm: error: %s\n", taken.error().message().c_str());
            return vmm::kExitStartFailed;
        }
    }
    // Spare disks serve only datasets added through the broker: none without it.
    if (!broker)
        options->machine.spareDatasetSlots = 0;
    vmm::blockHostSignals();
    vmm::VcpuThread::setThreadStartHook(installFilterOrDie<vmm::ThreadKind::Vcpu>);
    vmm::DeviceThread::setThreadStartHook(installFilterOrDie<vmm::ThreadKind::Device>);
    vmm::DisplayServer::setThreadStartHook(installFilterOrDie<vmm::ThreadKind::Display>);

    // With --control-fd the app's control channel is the console (and the controller).
    std::unique_ptr<vmm::ControlSession> control;
    if (options->controlFd >= 0) {
        auto created = vmm::ControlSession::create(options->controlFd);
        if (!created) {
            std::fprintf(stderr, "airlock-vmm: error: %s\n", created.error().message().c_str());
            return vmm::kExitStartFailed;
        }
        control = std::move(*created);
    }
    auto machine = vmm::buildMachine(options->machine,
        control ? control->consoleOutput() : vmm::ConsoleOutput(vmm::writeToStandardOutput));
    if (!machine) {
        vmm::removeEmptySessionDirectory(options->machine.sessionDirectory);
        std::fprintf(stderr, "airlock-vmm: error: %s\n", machine.error().message().c_str());
        return vmm::kExitStartFailed;
    }
    // The display's sockets are bound before the sandbox; its thread starts after it, confined.
    std::unique_ptr<vmm::DisplayServer> display;
    if (options->machine.display) {
        auto created = vmm::createDisplayServer(**machine, *options->machine.display);
        if (!created) {
            std::fprintf(stderr, "airlock-vmm: error: %s\n", created.error().message().c_str());
            return vmm::kExitStartFailed;
        }
        display = std::move(*created);
    }
    if (auto confined = confineFileAccess(*options); !confined) {
        std::fprintf(stderr, "airlock-vmm: error: %s\n", confined.error().message().c_str());
        return vmm::kExitStartFailed;
    }
    installFilterOrDie<vmm::ThreadKind::Main>();
    if (display) {
        if (auto started = display->start(); !started) {
            std::fprintf(stderr, "airlock-vmm: error: %s\n", started.error().message().c_str());
            return vmm::kExitStartFailed;
        }
        if (display->tcpPort() != 0)
            std::fprintf(stderr, "airlock-vmm: display: other viewers may connect to 127.0.0.1:%u (VNC, password)\n",
                unsigned {display->tcpPort()});
    }

    vmm::DatasetManifests manifests;
    vmm::ControlSession* channel = control.get();
    manifests.start(**machine, [channel](const vmm::DatasetManifests::Outcome& outcome) {
        if (outcome.manifest)
            std::fprintf(stderr, "airlock-vmm: dataset '%s': %zu files, SHA-256 manifest %s\n", outcome.name.c_str(),
                outcome.manifest->entries().size(), outcome.manifest->digestHex().c_str());
        else
            std::fprintf(stderr, "airlock-vmm: dataset '%s': no manifest: %s\n", outcome.name.c_str(), outcome.error.c_str());
        if (channel && outcome.manifest)
            channel->sendEventFromAnyThread(vmm::DatasetManifestEvent {outcome.name, outcome.manifest->digestHex(),
                outcome.manifest->entries().size(), outcome.manifest->totalBytes()}
                                                .toFrame());
    });

    if (control)
        control->enableDatasetHotAdd(broker.get(),
            [&manifests](const vmm::MachineDataset& dataset) { manifests.add(dataset); });

    vmm::StopReason reason =
        control ? vmm::runControlSession(**machine, *control) : vmm::runConsoleSession(**machine);
    if (reason.exitCode() != 0 && reason.kind != vmm::StopReason::Kind::GuestExit)
        std::fprintf(stderr, "airlock-vmm: %s\n", reason.description().c_str());

    // No viewer sees the screen once the session ends; it is shredded below.
    if (display)
        display->stop();
    std::vector<vmm::DatasetManifests::Outcome> checked = manifests.verifyAll();
    reportDatasetChanges(checked, options->manifestReportPath);
    if (control)
        for (const vmm::DatasetManifests::Outcome& outcome : checked)
            if (outcome.differences)
                control->sendFinalEvent(datasetVerifyEvent(outcome.name, *outcome.differences).toFrame());
    vmm::ShredReport report = vmm::shredSession(**machine);
    machine->reset();
    if (!options->shredReportPath.empty()) {
        if (auto written = vmm::writeShredReport(report, options->shredReportPath); !written)
            std::fprintf(stderr, "airlock-vmm: error: %s\n", written.error().message().c_str());
    }
    if (control)
        control->sendShredReport(report);
    std::fprintf(stderr, "airlock-vmm: session shredded: %zu items, %s%s%s\n", report.items().size(),
        report.allSucceeded() ? "all verified" : "SOME FAILED",
        options->shredReportPath.empty() ? "" : "; report in ", options->shredReportPath.c_str());
    if (!report.allSucceeded())
        std::fputs(report.toJson().c_str(), stderr);
    return reason.exitCode();
}
