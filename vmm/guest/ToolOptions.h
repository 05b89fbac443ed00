#pragma once

#include "sys/Result.h"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace vmm::guest {

/// The options of the small guest tools (airlock-fb-pattern and the others): each "--name N" or
/// "--name=N" with N a whole number, and nothing else.
class ToolOptions {
public:
    /// One option the tool knows.
    struct Option {
        std::string_view name; ///< with its dashes: "--hold"
        uint32_t maximum = 0; ///< largest accepted value
        uint32_t* value = nullptr; ///< where the number goes; left as it is when not given
    };

    /// argv[1..argc-1] as views.
    static std::vector<std::string_view> arguments(int argc, char** argv);
    /// Parses `arguments` into `options`. Fails, saying which word and why, on an unknown option,
    /// a missing or malformed number, one above the maximum, or an option given twice.
    static Result<void> parse(
        std::span<const std::string_view> arguments, std::span<const Option> options);
};

} // namespace vmm::guest
