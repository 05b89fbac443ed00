#include "PrintableText.h"

namespace vmm::guest {

std::string PrintableText::of(std::string_view text, size_t maxBytes)
{
    std::string result;
    for (char c : text.substr(0, maxBytes)) {
        auto byte = static_cast<unsigned char>(c);
        bool printable = byte >= 0x20 && byte < 0x7f && c != '"' && c != '\\';
        result += printable ? c : '?';
    }
    if (text.size() > maxBytes)
        result += "...";
    return result;
}

} // namespace vmm::guest
