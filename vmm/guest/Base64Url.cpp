#include "Base64Url.h"

#include <cstdint>

namespace vmm::guest {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int valueOf(char c)
{
    size_t position = kAlphabet.find(c);
    return position == std::string_view::npos ? -1 : static_cast<int>(position);
}

} // namespace

std::optional<std::string> Base64Url::decode(std::string_view text)
{
    if (text.size() % 4 == 1)
        return std::nullopt;
    std::string bytes;
    uint32_t bits = 0;
    int bitCount = 0;
    for (char c : text) {
        int value = valueOf(c);
        if (value < 0)
            return std::nullopt;
        bits = (bits << 6) | static_cast<uint32_t>(value);
        bitCount += 6;
        if (bitCount >= 8) {
            bitCount -= 8;
            bytes += static_cast<char>((bits >> bitCount) & 0xff);
        }
    }
    if ((bits & ((1u << bitCount) - 1)) != 0)
        return std::nullopt; // leftover bits must be zero in the canonical encoding
    return bytes;
}

std::string Base64Url::encode(std::string_view bytes)
{
    std::string text;
    uint32_t bits = 0;
    int bitCount = 0;
    for (char c : bytes) {
        bits = (bits << 8) | static_cast<uint8_t>(c);
        bitCount += 8;
        while (bitCount >= 6) {
            bitCount -= 6;
            text += kAlphabet[(bits >> bitCount) & 0x3f];
        }
    }
    if (bitCount > 0)
        text += kAlphabet[(bits << (6 - bitCount)) & 0x3f];
    return text;
}

} // namespace vmm::guest
