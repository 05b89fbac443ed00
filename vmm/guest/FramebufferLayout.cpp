#include "FramebufferLayout.h"

#include <string>

namespace vmm::guest {

namespace {
Error refused(const std::string& detail)
{
    return Error::invalid("/dev/fb0", detail);
}

bool isEightBits(const fb_bitfield& field, uint32_t offset)
{
    return field.offset == offset && field.length == 8 && field.msb_right == 0;
}
} // namespace

Result<FramebufferLayout> FramebufferLayout::fromScreenInfo(
    const fb_var_screeninfo& variable, const fb_fix_screeninfo& fixed)
{
    if (variable.bits_per_pixel != 32)
        return failure(refused(std::to_string(variable.bits_per_pixel) +
            " bits per pixel; only 32 (XRGB8888) is drawn"));
    if (fixed.type != FB_TYPE_PACKED_PIXELS || fixed.visual != FB_VISUAL_TRUECOLOR)
        return failure(refused("not a packed true-colour framebuffer"));
    if (!isEightBits(variable.red, 16) || !isEightBits(variable.green, 8) ||
        !isEightBits(variable.blue, 0))
        return failure(
            refused("the pixel format is not XRGB8888 (red " + std::to_string(variable.red.offset) +
                ", green " + std::to_string(variable.green.offset) + ", blue " +
                std::to_string(variable.blue.offset) + ")"));
    if (variable.xres == 0 || variable.yres == 0 || variable.xres > kMaxWidth ||
        variable.yres > kMaxHeight)
        return failure(refused(std::to_string(variable.xres) + "x" + std::to_string(variable.yres) +
            " is not a screen size from 1x1 to " + std::to_string(kMaxWidth) + "x" +
            std::to_string(kMaxHeight)));
    // 64-bit sums of 32-bit values: none of these can overflow.
    uint64_t right = uint64_t {variable.xoffset} + variable.xres;
    uint64_t bottom = uint64_t {variable.yoffset} + variable.yres;
    if (right > variable.xres_virtual || bottom > variable.yres_virtual)
        return failure(refused("the visible screen does not fit the virtual one"));
    if (fixed.line_length > kMaxLineLength || right * kBytesPerPixel > fixed.line_length)
        return failure(refused("a row of " + std::to_string(fixed.line_length) +
            " bytes does not hold " + std::to_string(right) + " pixels"));
    // bottom <= 2^33 and line_length <= 2^16: the product stays far below 2^64.
    uint64_t end = (bottom - 1) * fixed.line_length + right * kBytesPerPixel;
    if (end > fixed.smem_len)
        return failure(refused("the visible screen ends at byte " + std::to_string(end) +
            ", beyond the driver's " + std::to_string(fixed.smem_len) + " bytes"));

    FramebufferLayout layout;
    layout.width = variable.xres;
    layout.height = variable.yres;
    layout.lineLength = fixed.line_length;
    layout.originOffset = uint64_t {variable.yoffset} * fixed.line_length +
        uint64_t {variable.xoffset} * kBytesPerPixel;
    layout.mapBytes = end;
    return layout;
}

} // namespace vmm::guest
