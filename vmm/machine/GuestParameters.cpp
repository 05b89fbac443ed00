#include "GuestParameters.h"

#include <array>

namespace vmm {

Result<void> validateDatasetName(std::string_view name)
{
    auto refuse = [&](std::string_view why) {
        return failure(Error::invalid("dataset name", "'" + std::string(name) + "' " + std::string(why)
                + "; give the dataset another name"));
    };
    if (name.empty())
        return refuse("is empty");
    if (name.size() > 255)
        return refuse("is longer than 255 bytes");
    if (name == "." || name == "..")
        return refuse("is not a folder name");
    for (char character : name) {
        auto byte = static_cast<unsigned char>(character);
        if (character == '/')
            return refuse("contains '/'");
        if (byte < 0x20 || byte == 0x7f)
            return refuse("contains a control character");
    }
    return {};
}

std::string defaultDatasetName(std::string_view hostPath)
{
    while (hostPath.size() > 1 && hostPath.back() == '/')
        hostPath.remove_suffix(1);
    auto slash = hostPath.rfind('/');
    return std::string(slash == std::string_view::npos ? hostPath : hostPath.substr(slash + 1));
}

std::string base64UrlEncode(std::string_view bytes)
{
    static constexpr std::string_view kAlphabet
        = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string text;
    text.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        uint32_t group = uint32_t { static_cast<unsigned char>(bytes[i]) } << 16
            | uint32_t { static_cast<unsigned char>(bytes[i + 1]) } << 8 | static_cast<unsigned char>(bytes[i + 2]);
        for (int shift = 18; shift >= 0; shift -= 6)
            text += kAlphabet[(group >> shift) & 63];
    }
    size_t rest = bytes.size() - i;
    if (rest > 0) {
        uint32_t group = uint32_t { static_cast<unsigned char>(bytes[i]) } << 16;
        if (rest == 2)
            group |= uint32_t { static_cast<unsigned char>(bytes[i + 1]) } << 8;
        text += kAlphabet[(group >> 18) & 63];
        text += kAlphabet[(group >> 12) & 63];
        if (rest == 2)
            text += kAlphabet[(group >> 6) & 63];
    }
    return text;
}

std::string datasetKernelParameter(size_t index, std::string_view name)
{
    return "airlock.ds" + std::to_string(index) + "=" + base64UrlEncode(name);
}

} // namespace vmm
