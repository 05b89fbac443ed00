#include "Utf8.h"

#include <cstdint>

namespace vmm {

namespace {

// The length of the well-formed sequence at the start of `text`, or 0 (RFC 3629 §4).
size_t sequenceLength(std::string_view text)
{
    auto byte = [&](size_t i) {
        return static_cast<uint8_t>(text[i]);
    };
    uint8_t lead = byte(0);
    if (lead < 0x80)
        return 1;
    size_t length = 0;
    uint8_t low = 0x80;
    uint8_t high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0)
            low = 0xa0; // no overlong forms
        if (lead == 0xed)
            high = 0x9f; // no surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0)
            low = 0x90;
        if (lead == 0xf4)
            high = 0x8f; // nothing past U+10FFFF
    } else {
        return 0;
    }
    if (text.size() < length)
        return 0;
    if (byte(1) < low || byte(1) > high)
        return 0;
    for (size_t i = 2; i < length; ++i) {
        if (byte(i) < 0x80 || byte(i) > 0xbf)
            return 0;
    }
    return length;
}

} // namespace

bool Utf8::isValid(std::string_view text)
{
    while (!text.empty()) {
        size_t length = sequenceLength(text);
        if (length == 0)
            return false;
        text.remove_prefix(length);
    }
    return true;
}

std::string Utf8::sanitized(std::string_view text, size_t maxBytes)
{
    std::string result;
    while (!text.empty()) {
        size_t length = sequenceLength(text);
        std::string_view piece = length == 0 ? std::string_view("?") : text.substr(0, length);
        if (result.size() + piece.size() > maxBytes)
            break;
        result += piece;
        text.remove_prefix(length == 0 ? 1 : length);
    }
    return result;
}

} // namespace vmm
