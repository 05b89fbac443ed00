#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vmm::guest {

/// base64url without padding (RFC 4648 §5), as the host encodes dataset names on the kernel
/// command line (which splits on spaces and has no quoting for arbitrary bytes).
class Base64Url {
public:
    /// The bytes `text` encodes; nothing if it holds a character outside the alphabet, '=',
    /// an impossible length, or non-zero trailing bits (only the canonical form is accepted).
    static std::optional<std::string> decode(std::string_view text);
    /// The encoding of `bytes`, without padding.
    static std::string encode(std::string_view bytes);
};

} // namespace vmm::guest
