#include "ErrorMessage.h"

#include "JsonFields.h"
#include "Utf8.h"

namespace vmm {

namespace {
constexpr size_t kMaxCodeBytes = 64;
constexpr size_t kMaxMessageBytes = 4096;
} // namespace

nlohmann::json ErrorMessage::toJson() const
{
    return {{"code", code}, {"message", message}};
}

Frame ErrorMessage::toFrame() const
{
    return makeFrame(MessageKind::Error, toJson());
}

Result<ErrorMessage> ErrorMessage::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "Error"));
    ErrorMessage error;
    error.code = VMM_TRY(fields.string("code", kMaxCodeBytes));
    error.message = VMM_TRY(fields.string("message", kMaxMessageBytes, true));
    return error;
}

ErrorMessage ErrorMessage::fromError(std::string_view code, const Error& error)
{
    return ErrorMessage {std::string(code), Utf8::sanitized(error.message(), kMaxMessageBytes)};
}

Error ErrorMessage::toError(std::string_view context) const
{
    return Error::invalid(context, "the peer refused (" + code + "): " + message);
}

} // namespace vmm
