#pragma once

#include "sys/Result.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmm {

/// Typed, bounded reads of a JSON object from the other side of a channel. Every accessor checks
/// presence, type and range and returns an Error naming the message and the field; none throws.
/// Strings never hold NUL. Fields the reader does not ask for are ignored (newer minor versions).
class JsonFields {
public:
    /// Reads `object`, which must be a JSON object; `message` names it in errors ("ExecRequest").
    static Result<JsonFields> of(const nlohmann::json& object, std::string_view message);

    /// Whether `key` is present (and not null).
    bool has(std::string_view key) const;
    /// A string of at most `maxBytes` bytes; empty only when `allowEmpty`.
    Result<std::string> string(
        std::string_view key, size_t maxBytes, bool allowEmpty = false) const;
    /// An integer in [minimum, maximum].
    Result<int64_t> integer(std::string_view key, int64_t minimum, int64_t maximum) const;
    /// A non-negative integer in [minimum, maximum].
    Result<uint64_t> unsignedInteger(
        std::string_view key, uint64_t minimum, uint64_t maximum) const;
    /// A finite number in [minimum, maximum].
    Result<double> number(std::string_view key, double minimum, double maximum) const;
    /// true or false.
    Result<bool> boolean(std::string_view key) const;
    /// An array of at most `maxItems` strings, each non-empty unless `allowEmpty`, at most
    /// `maxBytes` bytes.
    Result<std::vector<std::string>> stringArray(
        std::string_view key, size_t maxItems, size_t maxBytes, bool allowEmpty = false) const;
    /// An object of at most `maxItems` string values (keys at most `maxKeyBytes`, values at most
    /// `maxValueBytes`).
    Result<std::map<std::string, std::string>> stringMap(
        std::string_view key, size_t maxItems, size_t maxKeyBytes, size_t maxValueBytes) const;

    /// An Error "<message>: field <key>: <detail>".
    Error fieldError(std::string_view key, std::string_view detail) const;

private:
    JsonFields(const nlohmann::json& object, std::string_view message)
        : m_object(&object)
        , m_message(message)
    {
    }

    Result<const nlohmann::json*> field(std::string_view key) const;
    Result<std::string> checkedString(
        std::string_view key, const nlohmann::json& value, size_t maxBytes, bool allowEmpty) const;

    const nlohmann::json* m_object; // borrowed; a JsonFields lives inside one fromJson call
    std::string m_message;
};

} // namespace vmm
