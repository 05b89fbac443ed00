#include "ControlStatus.h"

#include "ControlJson.h"
#include "protocol/JsonFields.h"

namespace vmm {

namespace {
constexpr size_t kMaxNameBytes = 255;
constexpr uint32_t kMaxVcpus = 256;
} // namespace

std::string_view machineStateName(MachineState state)
{
    switch (state) {
    case MachineState::Running:
        return "running";
    case MachineState::Paused:
        return "paused";
    case MachineState::Stopping:
        return "stopping";
    case MachineState::Stopped:
        return "stopped";
    }
    return "stopped";
}

Result<MachineState> machineStateFromName(std::string_view name)
{
    for (MachineState state : {MachineState::Running, MachineState::Paused, MachineState::Stopping,
             MachineState::Stopped}) {
        if (machineStateName(state) == name)
            return state;
    }
    return failure(Error::invalid("state", "unknown state " + std::string(name.substr(0, 32))));
}

nlohmann::json ControlStatus::toJson() const
{
    nlohmann::json list = nlohmann::json::array();
    for (const DatasetStatus& dataset : datasets)
        list.push_back({{"name", dataset.name}, {"hostPath", dataset.hostPath},
            {"fileCount", dataset.fileCount}, {"totalBytes", dataset.totalBytes},
            {"imageBytes", dataset.imageBytes}});
    return {{"state", machineStateName(state)}, {"uptimeMs", uptimeMs}, {"vcpus", vcpus},
        {"memoryBytes", memoryBytes}, {"datasets", std::move(list)}, {"scratchBytes", scratchBytes},
        {"vsockPath", vsockPath}};
}

Result<ControlStatus> ControlStatus::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "status"));
    ControlStatus status;
    status.state = VMM_TRY(machineStateFromName(VMM_TRY(fields.string("state", 32))));
    status.uptimeMs = VMM_TRY(fields.unsignedInteger("uptimeMs", 0, UINT64_MAX));
    status.vcpus = static_cast<uint32_t>(VMM_TRY(fields.unsignedInteger("vcpus", 1, kMaxVcpus)));
    status.memoryBytes = VMM_TRY(fields.unsignedInteger("memoryBytes", 0, UINT64_MAX));
    for (const nlohmann::json* item :
        VMM_TRY(objectArray(json, "datasets", kMaxDatasets, "status"))) {
        JsonFields each = VMM_TRY(JsonFields::of(*item, "status dataset"));
        DatasetStatus dataset;
        dataset.name = VMM_TRY(each.string("name", kMaxNameBytes));
        dataset.hostPath = VMM_TRY(each.string("hostPath", kMaxPathBytes));
        dataset.fileCount = VMM_TRY(each.unsignedInteger("fileCount", 0, UINT64_MAX));
        dataset.totalBytes = VMM_TRY(each.unsignedInteger("totalBytes", 0, UINT64_MAX));
        dataset.imageBytes = VMM_TRY(each.unsignedInteger("imageBytes", 0, UINT64_MAX));
        status.datasets.push_back(std::move(dataset));
    }
    status.scratchBytes = VMM_TRY(fields.unsignedInteger("scratchBytes", 0, UINT64_MAX));
    status.vsockPath = VMM_TRY(fields.string("vsockPath", kMaxPathBytes, true));
    return status;
}

} // namespace vmm
