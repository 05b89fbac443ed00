#pragma once

#include "control/ControlServer.h"
#include "control/ControlTarget.h"
#include "machine/Machine.h"
#include "machine/StopReason.h"
#include "scratch/ShredReport.h"
#include "sys/EventFd.h"
#include "sys/Result.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

namespace vmm {

/// airlock-vmm run by the app (--control-fd N): the control channel replaces the terminal. Made
/// before the machine (its consoleOutput() is the machine's console), then run() serves the
/// channel on the machine's device loop until the machine stops; main shreds the session and
/// sends the report with sendShredReport() before exiting. The channel closing (the app gone, or
/// a protocol violation) stops the machine.
class ControlSession final : public ControlTarget {
public:
    /// Takes ownership of `controlFd`, a connected stream socket.
    static Result<std::unique_ptr<ControlSession>> create(int controlFd);
    ~ControlSession() override;

    /// Where the machine's console bytes go: the channel, never standard output.
    ConsoleOutput consoleOutput();
    /// Starts `machine`, serves the channel until it stops, then shuts the machine down and
    /// tells the app why it stopped (state "stopped", guest-exit). Returns the stop reason.
    StopReason run(Machine& machine);
    /// Tells the app about `event` (a dataset's manifest, from a hashing thread): any thread.
    void sendEventFromAnyThread(Frame event);
    /// Sends `event` after run() returned (the dataset checks at the end), before the report.
    void sendFinalEvent(const Frame& event);
    /// Sends the shred report (the last frame) and closes the channel.
    void sendShredReport(const ShredReport& report);

    ControlStatus status() override;
    HostMetrics metrics() override;
    void pause() override;
    void resume() override;
    void stop(bool force, const std::string& why) override;
    size_t queueConsoleInput(std::span<const uint8_t> bytes) override;
    std::string vsockPath() override;

private:
    explicit ControlSession(EventFd cleanStop);
    /// On its own thread: asks the guest agent for a clean shutdown; stops the machine when the
    /// agent cannot be reached or refuses.
    void shutdownGuest();

    std::unique_ptr<ControlServer> m_server;
    Machine* m_machine = nullptr;
    EventFd m_cleanStop;
    std::atomic<bool> m_cleanStopRequested {false};
    std::mutex m_agentMutex;
    int m_agentFd = -1; // the shutdown thread's socket, so that run() can cut it short
    std::thread m_shutdownThread;
    std::mutex m_eventMutex; // guards the three below
    std::vector<Frame> m_earlyEvents;
    bool m_detached = false;
};

/// Runs `machine` with `session` as its console and controller (see ControlSession::run).
StopReason runControlSession(Machine& machine, ControlSession& session);

} // namespace vmm
