#include "ControlCommands.h"

#include "protocol/JsonFields.h"

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
    return reply;
}

} // namespace vmm
