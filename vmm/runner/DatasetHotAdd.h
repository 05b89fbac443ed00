#pragma once

#include "control/ControlCommands.h"
#include "machine/Machine.h"

#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>

namespace vmm {

class DatasetBroker;

/// Adds a dataset to a running session (the control command add-dataset; DESIGN.md §Datasets):
/// the broker opens the folder the app granted, the image is laid out through the broker's
/// opener, the device thread puts it into a spare disk, and the guest agent mounts it at
/// /datasets/<name>. Blocking: ControlSession runs one add at a time on a thread of its own.
class DatasetHotAdd {
public:
    using Clock = std::chrono::steady_clock;
    /// Told about a dataset once its disk is attached (DatasetManifests hashes it); that thread.
    using AttachedHandler = std::function<void(const MachineDataset&)>;

    /// Each step that waits on the guest or the device thread waits at most this long.
    static constexpr std::chrono::milliseconds kStepTimeout {10'000};

    /// For `machine` (read its datasets' names now, before it runs); `broker` null: hot-add is
    /// off and every add is refused saying so.
    DatasetHotAdd(Machine& machine, DatasetBroker* broker, AttachedHandler onAttached);

    /// The whole add, received at `received` (mountMs counts from there): the reply to send.
    ControlReply run(const AddDatasetCommand& command, Clock::time_point received);
    /// Cuts an add in progress short (the machine is stopping): its agent connection is shut.
    void cancel();

private:
    Result<DatasetAdded> add(const AddDatasetCommand& command, Clock::time_point received);

    Machine& m_machine;
    DatasetBroker* m_broker;
    AttachedHandler m_onAttached;
    std::set<std::string> m_names; // every dataset of the session, from the start or added
    std::mutex m_agentMutex;
    int m_agentFd = -1; // the add's agent connection, for cancel()
    bool m_cancelled = false;
};

} // namespace vmm
