#pragma once

#include <string>
#include <string_view>

namespace vmm::guest {

/// Text from elsewhere (a kernel parameter, a device's name) made safe to print on a terminal.
class PrintableText {
public:
    /// `text` with every byte outside printable ASCII, every '"' and every '\\' replaced by '?',
    /// cut to `maxBytes` bytes with "..." appended when it was longer.
    static std::string of(std::string_view text, size_t maxBytes);
};

} // namespace vmm::guest
