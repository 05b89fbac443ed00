#pragma once

#include "OutboxReader.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <functional>
#include <string>

namespace vmm::guest {

class ChildTable;
class MetricsSampler;

/// What the agent's connections share: the children PID 1 reaps for them, the outbox, the
/// metrics sampler and the way to ask PID 1 for a shutdown.
struct AgentContext {
    ChildTable& children;
    OutboxReader outbox;
    MetricsSampler& metrics;
    /// Called after ShutdownAccepted went out (PID 1: signals itself SIGUSR2, a poweroff).
    std::function<void()> requestShutdown;
};

/// One connection to the guest agent (/work/briefs/agent-protocol.md): the Hello exchange, then
/// requests one after another until the host closes it.
class AgentSession {
public:
    /// Serves `connection` to its end. Returns why it ended early (a malformed frame, a refused
    /// Hello, a broken stream); a host that closes between requests is a clean end.
    static Result<void> serve(UniqueFd connection, AgentContext& context);
};

} // namespace vmm::guest
