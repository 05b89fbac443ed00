#include "ControlEvents.h"

#include "protocol/JsonFields.h"

#include <algorithm>
#include <array>

namespace vmm {

namespace {
constexpr size_t kMaxNameBytes = 255;
constexpr std::array<std::string_view, 8> kStopKinds {"guest-exit", "power-off", "reset", "panic",
    "triple-fault", "crash", "engine-error", "host-request"};
} // namespace

Frame StateEvent::toFrame() const
{
    return makeControlFrame(ControlKind::State, {{"state", machineStateName(state)}});
}

Result<StateEvent> StateEvent::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "state"));
    return StateEvent {VMM_TRY(machineStateFromName(VMM_TRY(fields.string("state", 32))))};
}

Frame ConsoleDroppedEvent::toFrame() const
{
    return makeControlFrame(
        ControlKind::ConsoleDropped, {{"bytes", bytes}, {"totalBytes", totalBytes}});
}

Result<ConsoleDroppedEvent> ConsoleDroppedEvent::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "console-dropped"));
    ConsoleDroppedEvent event;
    event.bytes = VMM_TRY(fields.unsignedInteger("bytes", 1, UINT64_MAX));
    event.totalBytes = VMM_TRY(fields.unsignedInteger("totalBytes", event.bytes, UINT64_MAX));
    return event;
}

Frame GuestExitEvent::toFrame() const
{
    return makeControlFrame(ControlKind::GuestExit,
        {{"kind", kind}, {"exitCode", static_cast<unsigned>(exitCode & 0xff)},
            {"description", description.substr(0, kMaxDescriptionBytes)}});
}

Result<GuestExitEvent> GuestExitEvent::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "guest-exit"));
    GuestExitEvent event;
    event.kind = VMM_TRY(fields.string("kind", 32));
    if (std::find(kStopKinds.begin(), kStopKinds.end(), event.kind) == kStopKinds.end())
        return failure(fields.fieldError("kind", "unknown stop kind"));
    event.exitCode = static_cast<int>(VMM_TRY(fields.unsignedInteger("exitCode", 0, 255)));
    event.description = VMM_TRY(fields.string("description", kMaxDescriptionBytes, true));
    return event;
}

Frame ShredReportEvent::toFrame() const
{
    return makeControlFrame(ControlKind::ShredReport, {{"report", report}});
}

Result<ShredReportEvent> ShredReportEvent::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "shred-report"));
    if (!fields.has("report"))
        return failure(fields.fieldError("report", "missing"));
    const nlohmann::json& report = json.at("report");
    if (!report.is_object())
        return failure(fields.fieldError("report", "not an object"));
    return ShredReportEvent {report};
}

Frame DatasetManifestEvent::toFrame() const
{
    return makeControlFrame(ControlKind::DatasetManifest,
        {{"name", name}, {"digest", digest}, {"fileCount", fileCount}, {"totalBytes", totalBytes}});
}

Result<DatasetManifestEvent> DatasetManifestEvent::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "dataset-manifest"));
    DatasetManifestEvent event;
    event.name = VMM_TRY(fields.string("name", kMaxNameBytes));
    event.digest = VMM_TRY(fields.string("digest", 64));
    if (event.digest.size() != 64 ||
        event.digest.find_first_not_of("0123456789abcdef") != std::string::npos)
        return failure(fields.fieldError("digest", "not 64 lowercase hex digits"));
    event.fileCount = VMM_TRY(fields.unsignedInteger("fileCount", 0, UINT64_MAX));
    event.totalBytes = VMM_TRY(fields.unsignedInteger("totalBytes", 0, UINT64_MAX));
    return event;
}

Frame DatasetVerifyEvent::toFrame() const
{
    return makeControlFrame(ControlKind::DatasetVerify,
        {{"name", name}, {"changed", changed}, {"vanished", vanished}, {"added", added}});
}

Result<DatasetVerifyEvent> DatasetVerifyEvent::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "dataset-verify"));
    DatasetVerifyEvent event;
    event.name = VMM_TRY(fields.string("name", kMaxNameBytes));
    event.changed = VMM_TRY(fields.stringArray("changed", kMaxPaths, kMaxPathBytes));
    event.vanished = VMM_TRY(fields.stringArray("vanished", kMaxPaths, kMaxPathBytes));
    event.added = VMM_TRY(fields.stringArray("added", kMaxPaths, kMaxPathBytes));
    return event;
}

} // namespace vmm
