#pragma once

#include "ControlCommands.h"
#include "ControlStatus.h"
#include "HostMetrics.h"

#include <cstddef>
#include <functional>
#include <span>
#include <string>

namespace vmm {

/// What the control channel acts on: the machine, seen through the few operations the app may
/// ask for. airlock-vmm implements it over a Machine (runner/ControlSession); tests use a fake.
/// Every member is called on the thread that runs the ControlServer's loop.
class ControlTarget {
public:
    virtual ~ControlTarget() = default;

    /// The session's description; the server fills in state and uptime.
    virtual ControlStatus status() = 0;
    /// Host metrics now; the server fills in uptime and console drops.
    virtual HostMetrics metrics() = 0;
    /// Stops the vCPUs (returns once they are out of the guest).
    virtual void pause() = 0;
    virtual void resume() = 0;
    /// Stops the session: at once when `force`, else by asking the guest for a clean shutdown
    /// first (and stopping it anyway when it does not comply). `why` is for the stop reason.
    virtual void stop(bool force, const std::string& why) = 0;
    /// Host input for the guest console; returns how many bytes were accepted.
    virtual size_t queueConsoleInput(std::span<const uint8_t> bytes) = 0;
    /// The vsock device's host Unix socket, "" without one (stream-open is refused then).
    virtual std::string vsockPath() = 0;
    /// The display's VNC Unix socket, "" without a display (a display stream is refused then).
    virtual std::string displaySocketPath() { return {}; }

    /// Called with the answer to an add-dataset command; from any thread, at most once.
    using AddDatasetDone = std::function<void(ControlReply)>;
    /// Adds a dataset to the running session (ControlKind::AddDataset). Returns at once; the work
    /// runs elsewhere and ends with `done` (ok with reply.dataset, or failed with a message for
    /// the user); a `done` called after the server was detached is dropped (the session ended).
    /// The default refuses.
    virtual void addDataset(const AddDatasetCommand& command, AddDatasetDone done)
    {
        done(ControlReply::failed(command.id, "this session cannot take datasets while it runs"));
    }
};

} // namespace vmm
