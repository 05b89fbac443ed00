#include "ControlCommands.h"

#include "protocol/JsonFields.h"
#include "protocol/Utf8.h"

#include <algorithm>
#include <cctype>

namespace vmm {

nlohmann::json CommandHeader::toJson() const
{
    return {{"id", id}};
}

Result<CommandHeader> CommandHeader::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "command"));
    return CommandHeader {VMM_TRY(fields.unsignedInteger("id", 0, kMaxCommandId))};
}

Frame StopCommand::toFrame() const
{
    return makeControlFrame(ControlKind::Stop, {{"id", id}, {"force", force}});
}

Result<StopCommand> StopCommand::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "stop"));
    StopCommand command;
    command.id = VMM_TRY(fields.unsignedInteger("id", 0, kMaxCommandId));
    if (fields.has("force"))
        command.force = VMM_TRY(fields.boolean("force"));
    return command;
}

Frame SubscribeMetricsCommand::toFrame() const
{
    return makeControlFrame(
        ControlKind::SubscribeMetrics, {{"id", id}, {"intervalMs", intervalMs}});
}

Result<SubscribeMetricsCommand> SubscribeMetricsCommand::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "subscribe-metrics"));
    SubscribeMetricsCommand command;
    command.id = VMM_TRY(fields.unsignedInteger("id", 0, kMaxCommandId));
    command.intervalMs = static_cast<uint32_t>(
        VMM_TRY(fields.unsignedInteger("intervalMs", 0, kMaxMetricsIntervalMs)));
    if (command.intervalMs != 0 && command.intervalMs < kMinMetricsIntervalMs)
        return failure(fields.fieldError(
            "intervalMs", "0 or at least " + std::to_string(kMinMetricsIntervalMs) + " ms"));
    return command;
}

Frame AddDatasetCommand::toFrame() const
{
    return makeControlFrame(
        ControlKind::AddDataset, {{"id", id}, {"name", name}, {"path", path}, {"grant", grant}});
}

Result<AddDatasetCommand> AddDatasetCommand::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "add-dataset"));
    AddDatasetCommand command;
    command.id = VMM_TRY(fields.unsignedInteger("id", 0, kMaxCommandId));
    command.name = VMM_TRY(fields.string("name", kMaxNameBytes));
    if (command.name == "." || command.name == "..")
        return failure(fields.fieldError("name", "not a folder name"));
    if (!Utf8::isValid(command.name))
        return failure(fields.fieldError("name", "not UTF-8"));
    for (char c : command.name) {
        auto byte = static_cast<unsigned char>(c);
        if (c == '/' || byte < 0x20 || byte == 0x7f)
            return failure(fields.fieldError("name", "holds '/' or a control character"));
    }
    command.path = VMM_TRY(fields.string("path", kMaxPathBytes));
    if (command.path.front() != '/')
        return failure(fields.fieldError("path", "not an absolute path"));
    command.grant = VMM_TRY(fields.string("grant", 64));
    bool hex = std::all_of(command.grant.begin(), command.grant.end(),
        [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
    if (command.grant.size() != 64 || !hex)
        return failure(fields.fieldError("grant", "not 64 hex digits"));
    return command;
}

nlohmann::json DatasetAdded::toJson() const
{
    return {{"name", name}, {"fileCount", fileCount}, {"folderCount", folderCount},
        {"totalBytes", totalBytes}, {"imageBytes", imageBytes}, {"mountMs", mountMs}};
}

Result<DatasetAdded> DatasetAdded::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "dataset"));
    DatasetAdded added;
    added.name = VMM_TRY(fields.string("name", AddDatasetCommand::kMaxNameBytes));
    added.fileCount = VMM_TRY(fields.unsignedInteger("fileCount", 0, UINT64_MAX));
    added.folderCount = VMM_TRY(fields.unsignedInteger("folderCount", 0, UINT64_MAX));
    added.totalBytes = VMM_TRY(fields.unsignedInteger("totalBytes", 0, UINT64_MAX));
    added.imageBytes = VMM_TRY(fields.unsignedInteger("imageBytes", 0, UINT64_MAX));
    added.mountMs = VMM_TRY(fields.unsignedInteger("mountMs", 0, UINT64_MAX));
    return added;
}

ControlReply ControlReply::failed(uint64_t id, std::string error)
{
    ControlReply reply;
    reply.id = id;
    reply.ok = false;
    if (error.empty())
        error = "failed";
    if (error.size() > kMaxErrorBytes)
        error.resize(kMaxErrorBytes);
    reply.error = std::move(error);
    return reply;
}

Frame ControlReply::toFrame() const
{
    nlohmann::json json {{"id", id}, {"ok", ok}};
    if (!ok)
        json["error"] = error;
    if (status)
        json["status"] = status->toJson();
    if (metrics)
        json["metrics"] = metrics->toJson();
    if (dataset)
        json["dataset"] = dataset->toJson();
    return makeControlFrame(ControlKind::Reply, std::move(json));
}

Result<ControlReply> ControlReply::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "reply"));
    ControlReply reply;
    reply.id = VMM_TRY(fields.unsignedInteger("id", 0, kMaxCommandId));
    reply.ok = VMM_TRY(fields.boolean("ok"));
    if (!reply.ok)
        reply.error = VMM_TRY(fields.string("error", kMaxErrorBytes));
    if (fields.has("status"))
        reply.status = VMM_TRY(ControlStatus::fromJson(json.at("status")));
    if (fields.has("metrics"))
        reply.metrics = VMM_TRY(HostMetrics::fromJson(json.at("metrics")));
    if (fields.has("dataset"))
        reply.dataset = VMM_TRY(DatasetAdded::fromJson(json.at("dataset")));
    return reply;
}

} // namespace vmm
