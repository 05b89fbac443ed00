#pragma once

#include "sys/Result.h"

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmm {

/// What the machine is doing, as the control channel reports it.
enum class MachineState { Running, Paused, Stopping, Stopped };

/// The state's name on the wire ("running").
std::string_view machineStateName(MachineState state);
/// The state named `name`, or an error.
Result<MachineState> machineStateFromName(std::string_view name);

/// One dataset of the session in a status reply.
struct DatasetStatus {
    std::string name;
    std::string hostPath;
    uint64_t fileCount = 0;
    uint64_t totalBytes = 0;
    uint64_t imageBytes = 0;
};

/// The session as a status reply describes it. JSON: {"state": str, "uptimeMs": u64, "vcpus":
/// 1..256, "memoryBytes": u64, "datasets": [{name, hostPath, fileCount, totalBytes, imageBytes}],
/// "scratchBytes": u64 (0: none), "vsockPath": str ("" without vsock)}.
struct ControlStatus {
    static constexpr size_t kMaxDatasets = 1000;
    static constexpr size_t kMaxPathBytes = 4096;

    MachineState state = MachineState::Running;
    uint64_t uptimeMs = 0;
    uint32_t vcpus = 0;
    uint64_t memoryBytes = 0;
    std::vector<DatasetStatus> datasets;
    uint64_t scratchBytes = 0;
    std::string vsockPath;

    nlohmann::json toJson() const;
    static Result<ControlStatus> fromJson(const nlohmann::json& json);
};

} // namespace vmm
