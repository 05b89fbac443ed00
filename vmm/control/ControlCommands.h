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

/// Add a dataset to the running session (ControlKind::AddDataset). JSON: {"id", "name": the
/// folder under /datasets (1..255 bytes, no '/' or control character, not "." or ".."), "path":
/// the absolute host path (1..4096 bytes), "grant": 64 hex digits, the app's HMAC-SHA256 of name
/// and path with the session key (AIRLOCK_DATASET_GRANT_KEY)}. The reply comes once the dataset
/// is mounted in the guest, with "dataset": DatasetAdded, or fails with a message for the user.
struct AddDatasetCommand {
    static constexpr size_t kMaxNameBytes = 255;
    static constexpr size_t kMaxPathBytes = 4096;

    uint64_t id = 0;
    std::string name;
    std::string path;
    std::string grant; ///< 64 hex digits (either case), checked here; the broker checks the mac

    Frame toFrame() const;
    static Result<AddDatasetCommand> fromJson(const nlohmann::json& json);
};

/// What an add-dataset command added (ControlReply::dataset). JSON: {"name", "fileCount",
/// "folderCount", "totalBytes", "imageBytes", "mountMs": from the command to mounted}.
struct DatasetAdded {
    std::string name;
    uint64_t fileCount = 0;
    uint64_t folderCount = 0;
    uint64_t totalBytes = 0;
    uint64_t imageBytes = 0;
    uint64_t mountMs = 0;

    nlohmann::json toJson() const;
    static Result<DatasetAdded> fromJson(const nlohmann::json& json);
};

/// The answer to one command (ControlKind::Reply). JSON: {"id", "ok": bool, "error": str (when
/// not ok), "status": ControlStatus (status), "metrics": HostMetrics (metrics-request),
/// "dataset": DatasetAdded (add-dataset)}.
struct ControlReply {
    static constexpr size_t kMaxErrorBytes = 4096;

    uint64_t id = 0;
    bool ok = true;
    std::string error;
    std::optional<ControlStatus> status;
    std::optional<HostMetrics> metrics;
    std::optional<DatasetAdded> dataset;

    /// A failed reply to `id`.
    static ControlReply failed(uint64_t id, std::string error);
    Frame toFrame() const;
    static Result<ControlReply> fromJson(const nlohmann::json& json);
};

} // namespace vmm
