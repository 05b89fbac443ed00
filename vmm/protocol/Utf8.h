#pragma once

#include <string>
#include <string_view>

namespace vmm {

/// UTF-8 checks for text that goes into JSON (nlohmann refuses to encode anything else).
class Utf8 {
public:
    /// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
    /// U+10FFFF).
    static bool isValid(std::string_view text);
    /// `text` with every byte that is not part of a well-formed sequence replaced by '?', cut to
    /// at most `maxBytes` bytes on a character boundary.
    static std::string sanitized(std::string_view text, size_t maxBytes = std::string::npos);
};

} // namespace vmm
