#pragma once

#include "sys/Result.h"

#include <cstdint>

namespace vmm::guest {

struct AgentContext;

/// The guest agent's listener: AF_VSOCK, any CID, kAgentPort. Each connection is served by an
/// AgentSession on a thread of its own, so nothing the host does can block PID 1's reaping or
/// the session command.
class AgentServer {
public:
    static constexpr int kMaxConnections = 32;

    /// Starts listening and accepting on a background thread; `context` must live for the rest
    /// of PID 1's life. Fails when the guest has no vsock device (the message says so).
    static Result<void> start(AgentContext& context, uint32_t port);
    /// Serves connections accepted on `listener` forever (the accept thread's body; a test can
    /// run it on a Unix socket).
    [[noreturn]] static void acceptLoop(int listener, AgentContext& context);
};

} // namespace vmm::guest
