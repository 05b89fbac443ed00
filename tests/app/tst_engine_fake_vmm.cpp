// A stand-in for airlock-vmm in tst_engine_launch: takes the same flags, serves the control
// protocol on --control-fd with a fake machine, creates a session directory with a "scratch"
// file, and when asked to stop sends state "stopped", guest-exit and a shred report, removes the
// directory and exits 0. It never touches KVM. A test kills it with SIGKILL to play a crash.

#include "control/ControlEvents.h"
#include "control/ControlServer.h"
#include "scratch/AbandonedSession.h"
#include "sys/EventLoop.h"
#include "tst_control_support.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <sys/stat.h>

int main(int argc, char** argv)
{
    int controlFd = -1;
    std::string sessionDirectory;
    for (int i = 1; i + 1 < argc; ++i) {
        std::string argument = argv[i];
        if (argument == "--control-fd")
            controlFd = std::atoi(argv[++i]);
        else if (argument == "--session-dir")
            sessionDirectory = argv[++i];
        else if (argument == "--")
            break;
    }
    if (controlFd < 0) {
        std::fputs("fake-vmm: error: no --control-fd\n", stderr);
        return 2;
    }
    if (!sessionDirectory.empty()) {
        ::mkdir(sessionDirectory.c_str(), 0700);
        std::ofstream(sessionDirectory + "/scratch.img") << std::string(4096, 'S');
    }
    FakeTarget target;
    auto loop = vmm::EventLoop::create();
    auto server = vmm::ControlServer::create(vmm::UniqueFd(controlFd), target);
    if (!loop || !server || !(*server)->attach(*loop)) {
        std::fputs("fake-vmm: error: cannot serve the control channel\n", stderr);
        return 1;
    }
    while (target.stopCalls().empty() && (*server)->isOpen()) {
        [[maybe_unused]] auto ran = loop->runOnce(10);
        (*server)->tick();
    }
    (*server)->detach();
    (*server)->setState(vmm::MachineState::Stopped);
    vmm::GuestExitEvent exited {"guest-exit", 0, "the command exited"};
    [[maybe_unused]] auto sent = (*server)->sendNow(exited.toFrame(), std::chrono::seconds(5));
    vmm::ShredReportEvent shred;
    shred.report = nlohmann::json::parse(
        vmm::completeAbandonedSession(sessionDirectory).toJson(-1)); // shreds the directory
    sent = (*server)->sendNow(shred.toFrame(), std::chrono::seconds(5));
    (*server)->close();
    return 0;
}
