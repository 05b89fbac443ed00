#pragma once

#include "ControlProtocol.h"
#include "ControlStatus.h"
#include "HostMetrics.h"
#include "sys/Result.h"

#include <cstdint>
#include <optional>
#include <string>

namespace vmm {

/// The largest command id (ids stay exact in a JavaScript number).
inline constexpr uint64_t kMaxCommandId = (uint64_t {1} << 53) - 1;

/// The fields every command carries (status, pause, resume, console-input, metrics-request).
/// JSON: {"id": 0..2^53-1}.
struct CommandHeader {
    uint64_t id = 0;

    nlohmann::json toJson() const;
    static Result<CommandHeader> fromJson(const nlohmann::json& json);
};

/// Stop the session (ControlKind::Stop). JSON: {"id", "force": bool (default false: ask the
/// guest agent for a clean shutdown first)}.
struct StopCommand {
    uint64_t id = 0;
    bool force = false;

    Frame toFrame() const;
    static Result<StopCommand> fromJson(const nlohmann::json& json);
};

/// Metrics events at an interval (ControlKind::SubscribeMetrics). JSON: {"id", "intervalMs": 0
/// (unsubscribe) or kMinMetricsIntervalMs..kMaxMetricsIntervalMs}.
struct SubscribeMetricsCommand {
    uint64_t id = 0;
    uint32_t intervalMs = 0;

    Frame toFrame() const;
    static Result<SubscribeMetricsCommand> fromJson(const nlohmann::json& json);
};

/// The answer to one command (ControlKind::Reply). JSON: {"id", "ok": bool, "error": str (when
/// not ok), "status": ControlStatus (status), "metrics": HostMetrics (metrics-request)}.
struct ControlReply {
    static constexpr size_t kMaxErrorBytes = 4096;

    uint64_t id = 0;
    bool ok = true;
    std::string error;
    std::optional<ControlStatus> status;
    std::optional<HostMetrics> metrics;

    /// A failed reply to `id`.
    static ControlReply failed(uint64_t id, std::string error);
    Frame toFrame() const;
    static Result<ControlReply> fromJson(const nlohmann::json& json);
};

} // namespace vmm
