#include "StreamMessages.h"

#include "protocol/JsonFields.h"

namespace vmm {

namespace {
Result<StreamId> streamField(const JsonFields& fields)
{
    return static_cast<StreamId>(VMM_TRY(fields.unsignedInteger("stream", 1, UINT32_MAX)));
}
} // namespace

Frame StreamOpen::toFrame() const
{
    if (target == Target::Display)
        return makeControlFrame(ControlKind::StreamOpen, {{"stream", stream}, {"target", "display"}});
    return makeControlFrame(ControlKind::StreamOpen, {{"stream", stream}, {"port", port}});
}

Result<StreamOpen> StreamOpen::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "stream-open"));
    StreamOpen open;
    open.stream = VMM_TRY(streamField(fields));
    std::string target = fields.has("target") ? VMM_TRY(fields.string("target", 16)) : std::string();
    if (target == "display") {
        open.target = Target::Display;
        return open;
    }
    if (!target.empty() && target != "guest")
        return failure(Error::invalid("stream-open", "unknown target '" + target + "' (guest or display)"));
    // 0xffffffff is VMADDR_PORT_ANY, not a port one can connect to.
    open.port = static_cast<uint32_t>(VMM_TRY(fields.unsignedInteger("port", 1, UINT32_MAX - 1)));
    return open;
}

Frame StreamReference::toFrame(ControlKind kind, std::vector<uint8_t> payload) const
{
    return makeControlFrame(kind, {{"stream", stream}}, std::move(payload));
}

Result<StreamReference> StreamReference::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "stream message"));
    return StreamReference {VMM_TRY(streamField(fields))};
}

Frame StreamClosed::toFrame() const
{
    nlohmann::json json {{"stream", stream}};
    if (!error.empty())
        json["error"] = error.substr(0, kMaxErrorBytes);
    return makeControlFrame(ControlKind::StreamClosed, std::move(json));
}

Result<StreamClosed> StreamClosed::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "stream-closed"));
    StreamClosed closed;
    closed.stream = VMM_TRY(streamField(fields));
    if (fields.has("error"))
        closed.error = VMM_TRY(fields.string("error", kMaxErrorBytes));
    return closed;
}

Frame StreamAck::toFrame() const
{
    return makeControlFrame(ControlKind::StreamAck, {{"stream", stream}, {"bytes", bytes}});
}

Result<StreamAck> StreamAck::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "stream-ack"));
    StreamAck ack;
    ack.stream = VMM_TRY(streamField(fields));
    ack.bytes =
        static_cast<uint32_t>(VMM_TRY(fields.unsignedInteger("bytes", 1, kStreamWindowBytes)));
    return ack;
}

} // namespace vmm
