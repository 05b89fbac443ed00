#include "Hello.h"

#include "JsonFields.h"

namespace vmm {

namespace {
constexpr size_t kMaxNameBytes = 128;

std::string versionText(ProtocolVersion version)
{
    return std::to_string(version.major) + "." + std::to_string(version.minor);
}
} // namespace

nlohmann::json Hello::toJson() const
{
    return {{"protocol", protocol}, {"major", version.major}, {"minor", version.minor},
        {"software", software}};
}

Frame Hello::toFrame() const
{
    return makeFrame(MessageKind::Hello, toJson());
}

Result<Hello> Hello::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "Hello"));
    Hello hello;
    hello.protocol = VMM_TRY(fields.string("protocol", kMaxNameBytes));
    hello.version.major =
        static_cast<uint32_t>(VMM_TRY(fields.unsignedInteger("major", 0, UINT32_MAX)));
    hello.version.minor =
        static_cast<uint32_t>(VMM_TRY(fields.unsignedInteger("minor", 0, UINT32_MAX)));
    hello.software = VMM_TRY(fields.string("software", kMaxNameBytes, true));
    return hello;
}

Result<void> Hello::checkCompatible(
    const Hello& peer, std::string_view protocol, ProtocolVersion ours)
{
    if (peer.protocol != protocol)
        return failure(Error::invalid("hello",
            "the peer speaks " + peer.protocol + ", this side speaks " + std::string(protocol)));
    if (peer.version.major != ours.major)
        return failure(Error::invalid("hello",
            "unsupported " + std::string(protocol) + " protocol version " +
                versionText(peer.version) + " (this side speaks " + std::to_string(ours.major) +
                ".x)"));
    return {};
}

} // namespace vmm
