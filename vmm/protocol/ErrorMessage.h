#pragma once

#include "Frame.h"
#include "sys/Result.h"

#include <string>
#include <string_view>

namespace vmm {

/// A request failed (MessageKind::Error). JSON: {"code": str, "message": str}. The codes are
/// the constants below; a peer treats an unknown code as a failure with that message.
struct ErrorMessage {
    static constexpr std::string_view kProtocol = "protocol"; ///< malformed frame; stream closes
    static constexpr std::string_view kVersion = "version"; ///< Hello refused; stream closes
    static constexpr std::string_view kInvalid = "invalid"; ///< a field failed validation
    static constexpr std::string_view kUnsupported = "unsupported"; ///< unknown request kind
    static constexpr std::string_view kNotFound = "notFound"; ///< no such file
    static constexpr std::string_view kRefused = "refused"; ///< path outside, not a regular file
    static constexpr std::string_view kSpawn = "spawn"; ///< the command could not be started
    static constexpr std::string_view kIo = "io"; ///< reading or writing failed
    static constexpr std::string_view kBusy = "busy"; ///< too many connections

    std::string code;
    std::string message;

    nlohmann::json toJson() const;
    /// The Error frame.
    Frame toFrame() const;
    static Result<ErrorMessage> fromJson(const nlohmann::json& json);
    /// From a local Error, with `code`.
    static ErrorMessage fromError(std::string_view code, const Error& error);
    /// As an Error for the caller: "<context>: the peer refused (<code>): <message>".
    Error toError(std::string_view context) const;
};

} // namespace vmm
