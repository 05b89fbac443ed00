#pragma once

#include "ControlProtocol.h"
#include "ControlStatus.h"
#include "sys/Result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vmm {

/// The machine's state changed (ControlKind::State). JSON: {"state": "running" | "paused" |
/// "stopping" | "stopped"}.
struct StateEvent {
    MachineState state = MachineState::Running;

    Frame toFrame() const;
    static Result<StateEvent> fromJson(const nlohmann::json& json);
};

/// Console output was dropped because the app did not read fast enough
/// (ControlKind::ConsoleDropped). JSON: {"bytes": dropped since the last note, "totalBytes"}.
struct ConsoleDroppedEvent {
    uint64_t bytes = 0;
    uint64_t totalBytes = 0;

    Frame toFrame() const;
    static Result<ConsoleDroppedEvent> fromJson(const nlohmann::json& json);
};

/// The guest stopped (ControlKind::GuestExit), from the machine's StopReason. JSON: {"kind":
/// "guest-exit" | "power-off" | "reset" | "panic" | "triple-fault" | "crash" | "engine-error" |
/// "host-request", "exitCode": 0..255 (airlock-vmm's exit status), "description": str}.
struct GuestExitEvent {
    static constexpr size_t kMaxDescriptionBytes = 4096;

    std::string kind;
    int exitCode = 0;
    std::string description;

    Frame toFrame() const;
    static Result<GuestExitEvent> fromJson(const nlohmann::json& json);
};

/// The session's shred report, sent right before airlock-vmm exits (ControlKind::ShredReport).
/// JSON: {"report": object (ShredReport's JSON)}.
struct ShredReportEvent {
    nlohmann::json report = nlohmann::json::object();

    Frame toFrame() const;
    static Result<ShredReportEvent> fromJson(const nlohmann::json& json);
};

/// A dataset's SHA-256 manifest was computed (ControlKind::DatasetManifest). JSON: {"name",
/// "digest": 64 lowercase hex (of the manifest), "fileCount", "totalBytes"}.
struct DatasetManifestEvent {
    std::string name;
    std::string digest;
    uint64_t fileCount = 0;
    uint64_t totalBytes = 0;

    Frame toFrame() const;
    static Result<DatasetManifestEvent> fromJson(const nlohmann::json& json);
};

/// A dataset was checked against its manifest (ControlKind::DatasetVerify). JSON: {"name",
/// "changed": [path], "vanished": [path], "added": [path]} (each at most kMaxPaths).
struct DatasetVerifyEvent {
    static constexpr size_t kMaxPaths = 4096;
    static constexpr size_t kMaxPathBytes = 4096;

    std::string name;
    std::vector<std::string> changed;
    std::vector<std::string> vanished;
    std::vector<std::string> added;

    Frame toFrame() const;
    static Result<DatasetVerifyEvent> fromJson(const nlohmann::json& json);
};

} // namespace vmm
