#include "OutboxMessages.h"

#include "JsonFields.h"
#include "Utf8.h"

#include <algorithm>

namespace vmm {

namespace {

Result<std::string> pathField(const JsonFields& fields)
{
    std::string path = VMM_TRY(fields.string("path", OutboxPath::kMaxBytes));
    if (auto valid = OutboxPath::validate(path); !valid)
        return failure(fields.fieldError("path", valid.error().detail()));
    return path;
}

Result<std::string> sha256Field(const JsonFields& fields)
{
    std::string digest = VMM_TRY(fields.string("sha256", 64));
    bool hex = std::all_of(digest.begin(), digest.end(),
        [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
    if (digest.size() != 64 || !hex)
        return failure(fields.fieldError("sha256", "not 64 lowercase hex digits"));
    return digest;
}

} // namespace

Result<void> OutboxPath::validate(std::string_view path)
{
    auto refuse = [](std::string_view why) {
        return failure(Error::invalid("outbox path", why));
    };
    if (path.empty())
        return refuse("empty");
    if (path.size() > kMaxBytes)
        return refuse("too long");
    if (path.front() == '/')
        return refuse("absolute");
    if (path.find('\0') != std::string_view::npos)
        return refuse("holds NUL");
    if (!Utf8::isValid(path))
        return refuse("not UTF-8");
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = std::min(path.find('/', start), path.size());
        std::string_view component = path.substr(start, end - start);
        if (component.empty() || component == "." || component == "..")
            return refuse("has an empty, '.' or '..' component");
        start = end + 1;
    }
    return {};
}

Frame OutboxEntry::toFrame() const
{
    return makeFrame(MessageKind::OutboxEntry,
        {{"path", path}, {"size", size}, {"sha256", sha256}, {"mtimeNs", mtimeNs}});
}

Result<OutboxEntry> OutboxEntry::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "OutboxEntry"));
    OutboxEntry entry;
    entry.path = VMM_TRY(pathField(fields));
    entry.size = VMM_TRY(fields.unsignedInteger("size", 0, UINT64_MAX));
    entry.sha256 = VMM_TRY(sha256Field(fields));
    entry.mtimeNs = VMM_TRY(fields.integer("mtimeNs", INT64_MIN, INT64_MAX));
    return entry;
}

Frame OutboxListEnd::toFrame() const
{
    return makeFrame(MessageKind::OutboxListEnd, {{"count", count}, {"skipped", skipped}});
}

Result<OutboxListEnd> OutboxListEnd::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "OutboxListEnd"));
    OutboxListEnd end;
    end.count = VMM_TRY(fields.unsignedInteger("count", 0, UINT64_MAX));
    end.skipped = VMM_TRY(fields.unsignedInteger("skipped", 0, UINT64_MAX));
    return end;
}

Frame OutboxFetchRequest::toFrame() const
{
    return makeFrame(MessageKind::OutboxFetchRequest, {{"path", path}});
}

Result<OutboxFetchRequest> OutboxFetchRequest::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "OutboxFetchRequest"));
    return OutboxFetchRequest {VMM_TRY(pathField(fields))};
}

Frame OutboxFileBegin::toFrame() const
{
    return makeFrame(MessageKind::OutboxFileBegin, {{"path", path}, {"size", size}});
}

Result<OutboxFileBegin> OutboxFileBegin::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "OutboxFileBegin"));
    OutboxFileBegin begin;
    begin.path = VMM_TRY(pathField(fields));
    begin.size = VMM_TRY(fields.unsignedInteger("size", 0, UINT64_MAX));
    return begin;
}

Frame OutboxFileEnd::toFrame() const
{
    return makeFrame(MessageKind::OutboxFileEnd, {{"size", size}, {"sha256", sha256}});
}

Result<OutboxFileEnd> OutboxFileEnd::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "OutboxFileEnd"));
    OutboxFileEnd end;
    end.size = VMM_TRY(fields.unsignedInteger("size", 0, UINT64_MAX));
    end.sha256 = VMM_TRY(sha256Field(fields));
    return end;
}

} // namespace vmm
