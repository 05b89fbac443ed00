#include "DatasetMessages.h"

#include "JsonFields.h"
#include "Utf8.h"

namespace vmm {

Frame MountDatasetRequest::toFrame() const
{
    return makeFrame(MessageKind::MountDatasetRequest, {{"index", index}, {"name", name}});
}

Result<MountDatasetRequest> MountDatasetRequest::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "MountDatasetRequest"));
    MountDatasetRequest request;
    request.index = VMM_TRY(fields.unsignedInteger("index", 0, kMaxIndex));
    request.name = VMM_TRY(fields.string("name", kMaxNameBytes));
    if (!Utf8::isValid(request.name))
        return failure(fields.fieldError("name", "not UTF-8"));
    for (char c : request.name) {
        auto byte = static_cast<unsigned char>(c);
        if (c == '/' || byte < 0x20 || byte == 0x7f)
            return failure(fields.fieldError("name", "holds '/' or a control character"));
    }
    if (request.name == "." || request.name == "..")
        return failure(fields.fieldError("name", "is \".\" or \"..\""));
    return request;
}

Frame MountDatasetDone::toFrame() const
{
    return makeFrame(MessageKind::MountDatasetDone, {{"path", path}});
}

Result<MountDatasetDone> MountDatasetDone::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "MountDatasetDone"));
    MountDatasetDone done;
    done.path = VMM_TRY(fields.string("path", kMaxPathBytes));
    if (done.path.rfind("/datasets/", 0) != 0)
        return failure(fields.fieldError("path", "not under /datasets/"));
    return done;
}

} // namespace vmm
