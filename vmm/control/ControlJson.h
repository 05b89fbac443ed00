#pragma once

#include "sys/Result.h"

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace vmm {

/// The items of `object[key]`, which must be an array of at most `maxItems` JSON objects;
/// `message` names the message in errors. Each item is then read with JsonFields.
Result<std::vector<const nlohmann::json*>> objectArray(
    const nlohmann::json& object, std::string_view key, size_t maxItems, std::string_view message);

} // namespace vmm
