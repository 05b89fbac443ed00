#include "FramebufferGeometry.h"

#include <charconv>

namespace vmm {

Result<FramebufferGeometry> FramebufferGeometry::make(uint32_t width, uint32_t height)
{
    if (width < kMinWidth || width > kMaxWidth || height < kMinHeight || height > kMaxHeight)
        return failure(Error::invalid("display geometry",
            std::to_string(width) + "x" + std::to_string(height) + " is outside " +
                std::to_string(kMinWidth) + "x" + std::to_string(kMinHeight) + " .. " +
                std::to_string(kMaxWidth) + "x" + std::to_string(kMaxHeight)));
    FramebufferGeometry geometry;
    geometry.width = width;
    geometry.height = height;
    geometry.stride = width * kBytesPerPixel; // at most 30720: no overflow
    return geometry;
}

Result<FramebufferGeometry> FramebufferGeometry::parse(std::string_view text)
{
    auto invalid = [&] {
        return failure(Error::invalid("display geometry",
            "'" + std::string(text) + "' is not WIDTHxHEIGHT (for example 1280x800)"));
    };
    size_t separator = text.find('x');
    if (separator == std::string_view::npos || separator == 0 || separator + 1 == text.size())
        return invalid();
    uint32_t width = 0;
    uint32_t height = 0;
    const char* widthEnd = text.data() + separator;
    const char* heightEnd = text.data() + text.size();
    auto [widthStop, widthError] = std::from_chars(text.data(), widthEnd, width);
    auto [heightStop, heightError] = std::from_chars(widthEnd + 1, heightEnd, height);
    if (widthError != std::errc {} || widthStop != widthEnd || heightError != std::errc {} ||
        heightStop != heightEnd)
        return invalid();
    return make(width, height);
}

std::string FramebufferGeometry::toString() const
{
    return std::to_string(width) + "x" + std::to_string(height);
}

} // namespace vmm
