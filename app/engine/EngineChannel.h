#pragma once

#include "control/ControlClient.h"
#include "sys/UniqueFd.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace app {

/// The control channel's pump: on a thread of its own it says hello to the engine (which can
/// take seconds), then takes events one by one and hands them to callbacks. The callbacks run
/// on that thread; EngineSession turns them into queued calls on the GUI thread. Qt-free so that
/// nothing of the event loop can block on the engine.
class EngineChannel {
public:
    /// What the pump reports.
    struct Callbacks {
        /// The handshake succeeded: commands can go through `client` (thread-safe).
        std::function<void(std::shared_ptr<vmm::ControlClient> client)> connected;
        /// One validated event frame, in the order the engine sent them.
        std::function<void(vmm::Frame frame)> event;
        /// The channel is down (or never came up), every event delivered: why.
        std::function<void(std::string reason)> closed;
    };

    /// Starts the pump over `socket` (a connected stream socket to airlock-vmm), giving the engine
    /// `helloTimeout` to say hello (minutes in the KVM lab, which boots an emulated host first).
    EngineChannel(vmm::UniqueFd socket, Callbacks callbacks,
        std::chrono::milliseconds helloTimeout = std::chrono::seconds(15));
    /// Stops the pump and waits for its thread; no callback runs after this returns.
    ~EngineChannel();

    EngineChannel(const EngineChannel&) = delete;
    EngineChannel& operator=(const EngineChannel&) = delete;

    /// Shuts the socket down so that waiting commands and the pump end at once (the engine sees
    /// its app gone and stops the machine). Any thread.
    void abort();

private:
    void run(vmm::UniqueFd socket);

    Callbacks m_callbacks;
    std::chrono::milliseconds m_helloTimeout;
    std::atomic<bool> m_stopping {false};
    // A duplicate of the socket for abort(): shutdown() acts on the socket, whichever fd.
    vmm::UniqueFd m_abortHandle;
    std::thread m_thread;
};

} // namespace app
