// A stand-in for airlock-vmm in the manager and airlockctl tests: takes airlock-vmm's flags,
// serves the control protocol on --control-fd with a fake machine, reports a manifest for every
// --dataset NAME=PATH, and runs a pretend session command:
//   fake-exit N [WORDS...]   writes WORDS in capitals to the console (so that a test can tell
//                            console text from the command line), then exits with status N;
//   fake-stubborn            ignores a clean stop (only a forced one ends it);
//   anything else            runs until stopped (status 0).
// At the end it sends a dataset verification for each dataset, state "stopped", guest-exit and
// a shred report, removes the session directory and exits 0. It never touches KVM.

#include "control/ControlEvents.h"
#include "control/ControlServer.h"
#include "scratch/AbandonedSession.h"
#include "sys/EventLoop.h"
#include "tst_control_support.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <sys/stat.h>

namespace {
struct Arguments {
    int controlFd = -1;
    std::string sessionDirectory;
    std::vector<std::string> datasets;
    std::vector<std::string> command;
};

Arguments parse(int argc, char** argv)
{
    Arguments arguments;
    for (int i = 1; i < argc; ++i) {
        std::string argument = argv[i];
        if (argument == "--") {
            arguments.command.assign(argv + i + 1, argv + argc);
            break;
        }
        if (i + 1 >= argc)
            break;
        if (argument == "--control-fd")
            arguments.controlFd = std::atoi(argv[++i]);
        else if (argument == "--session-dir")
            arguments.sessionDirectory = argv[++i];
        else if (argument == "--dataset") {
            std::string dataset = argv[++i];
            arguments.datasets.push_back(dataset.substr(0, dataset.find('=')));
        }
    }
    return arguments;
}

// A digest the test can recognise: 64 hex digits, different per dataset.
std::string fakeDigest(size_t index)
{
    return std::string(64, "0123456789abcdef"[(index + 10) % 16]);
}
} // namespace

int main(int argc, char** argv)
{
    Arguments arguments = parse(argc, argv);
    if (arguments.controlFd < 0) {
        std::fputs("fake-vmm: error: no --control-fd\n", stderr);
        return 2;
    }
    if (!arguments.sessionDirectory.empty()) {
        ::mkdir(arguments.sessionDirectory.c_str(), 0700);
        std::ofstream(arguments.sessionDirectory + "/scratch.img") << std::string(4096, 'S');
    }
    FakeTarget target;
    auto loop = vmm::EventLoop::create();
    auto server = vmm::ControlServer::create(vmm::UniqueFd(arguments.controlFd), target);
    if (!loop || !server || !(*server)->attach(*loop)) {
        std::fputs("fake-vmm: error: cannot serve the control channel\n", stderr);
        return 1;
    }
    for (size_t i = 0; i < arguments.datasets.size(); ++i)
        (*server)->sendEvent(
            vmm::DatasetManifestEvent {arguments.datasets[i], fakeDigest(i), 3, 12}.toFrame());

    const std::vector<std::string>& command = arguments.command;
    bool exits = !command.empty() && command[0] == "fake-exit" && command.size() >= 2;
    bool stubborn = !command.empty() && command[0] == "fake-stubborn";
    int status = exits ? std::atoi(command[1].c_str()) : 0;
    if (exits) {
        std::string text;
        for (size_t i = 2; i < command.size(); ++i)
            text += (i > 2 ? " " : "") + command[i];
        for (char& character : text)
            character = static_cast<char>(std::toupper(static_cast<unsigned char>(character)));
        text += "\r\n";
        (*server)->consoleOutput(
            std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    }
    auto exitAt = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    auto stopped = [&] {
        for (const FakeTarget::Stop& stop : target.stopCalls()) {
            if (stop.force || !stubborn)
                return true;
        }
        return false;
    };
    while (!stopped() && (*server)->isOpen() &&
        !(exits && std::chrono::steady_clock::now() >= exitAt)) {
        [[maybe_unused]] auto ran = loop->runOnce(10);
        (*server)->tick();
    }
    (*server)->detach();
    for (const std::string& dataset : arguments.datasets)
        [[maybe_unused]] auto sent = (*server)->sendNow(
            vmm::DatasetVerifyEvent {dataset, {}, {}, {}}.toFrame(), std::chrono::seconds(5));
    (*server)->setState(vmm::MachineState::Stopped);
    vmm::GuestExitEvent exited {"guest-exit", status, "the command exited"};
    [[maybe_unused]] auto sent = (*server)->sendNow(exited.toFrame(), std::chrono::seconds(5));
    vmm::ShredReportEvent shred;
    shred.report =
        nlohmann::json::parse(vmm::completeAbandonedSession(arguments.sessionDirectory).toJson(-1));
    sent = (*server)->sendNow(shred.toFrame(), std::chrono::seconds(5));
    (*server)->close();
    return 0;
}
