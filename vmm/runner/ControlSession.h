#pragma once

#include "DatasetHotAdd.h"
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
#include <optional>
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
    /// Enables add-dataset: `broker` opens what the app grants (null: every add is refused,
    /// saying why); `onAttached` hears of each dataset attached (DatasetManifests::add). Call
    /// before run(); `broker` must outlive run().
    void enableDatasetHotAdd(DatasetBroker* broker, DatasetHotAdd::AttachedHandler onAttached);

    ControlStatus status() override;
    HostMetrics metrics() override;
    void pause() override;
    void resume() override;
    void stop(bool force, const std::string& why) override;
    size_t queueConsoleInput(std::span<const uint8_t> bytes) override;
    std::string vsockPath() override;
    std::string displaySocketPath() override;
    void addDataset(const AddDatasetCommand& command, AddDatasetDone done) override;

private:
    ControlSession(EventFd cleanStop, EventFd addQueued);
    /// On its own thread: asks the guest agent for a clean shutdown; stops the machine when the
    /// agent cannot be reached or refuses.
    void shutdownGuest();

    /// On the main thread's loop: starts the add that addDataset() queued, on its own thread.
    void startQueuedAdd();
    void finishAdds();

    std::unique_ptr<ControlServer> m_server;
    Machine* m_machine = nullptr;
    EventFd m_cleanStop;
    std::atomic<bool> m_cleanStopRequested {false};
    std::mutex m_agentMutex;
    int m_agentFd = -1; // the shutdown thread's socket, so that run() can cut it short
    std::thread m_shutdownThread;
    // add-dataset: one at a time; a second while one runs is refused ("busy").
    DatasetBroker* m_broker = nullptr;
    DatasetHotAdd::AttachedHandler m_onDatasetAttached;
    std::unique_ptr<DatasetHotAdd> m_hotAdd; // made in run(), before the machine starts
    EventFd m_addQueued;
    std::mutex m_addMutex; // guards the three below
    struct QueuedAdd {
        AddDatasetCommand command;
        AddDatasetDone done;
        DatasetHotAdd::Clock::time_point received;
    };
    std::optional<QueuedAdd> m_queuedAdd;
    bool m_addBusy = false; // queued or running
    bool m_addsClosed = false; // the session is ending
    std::thread m_addThread;
    std::mutex m_eventMutex; // guards the three below
    std::vector<Frame> m_earlyEvents;
    bool m_detached = false;
};

/// Runs `machine` with `session` as its console and controller (see ControlSession::run).
StopReason runControlSession(Machine& machine, ControlSession& session);

} // namespace vmm
