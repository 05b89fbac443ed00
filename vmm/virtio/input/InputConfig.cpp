#include "InputConfig.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <linux/input-event-codes.h>
#include <linux/input.h>

namespace vmm {

namespace {

using namespace input;

constexpr uint16_t kVendorAirlock = 0x0000; // no USB vendor: a virtual device of the VMM's own
constexpr uint16_t kProductKeyboard = 0x0001;
constexpr uint16_t kProductTablet = 0x0003;
constexpr uint16_t kVersion = 0x0001;

void putLe16(std::span<uint8_t> bytes, size_t at, uint16_t value)
{
    bytes[at] = static_cast<uint8_t>(value);
    bytes[at + 1] = static_cast<uint8_t>(value >> 8);
}

void putLe32(std::span<uint8_t> bytes, size_t at, uint32_t value)
{
    for (size_t i = 0; i < 4; ++i)
        bytes[at + i] = static_cast<uint8_t>(value >> (8 * i));
}

void setBit(std::vector<uint8_t>& bitmap, unsigned bit)
{
    if (bitmap.size() <= bit / 8)
        bitmap.resize(bit / 8 + 1, 0);
    bitmap[bit / 8] = static_cast<uint8_t>(bitmap[bit / 8] | (1u << (bit % 8)));
}

bool testBit(const std::vector<uint8_t>& bitmap, unsigned bit)
{
    return bit / 8 < bitmap.size() && (bitmap[bit / 8] & (1u << (bit % 8))) != 0;
}

// An axis of `extent` pixels: 0..extent-1, kept inside evdev's signed 32-bit values.
InputConfig::AbsInfo axisOf(uint32_t extent)
{
    uint32_t clamped = std::clamp<uint32_t>(extent, 1, std::numeric_limits<int32_t>::max());
    return InputConfig::AbsInfo {0, clamped - 1, 0, 0, 0};
}

} // namespace

InputConfig InputConfig::keyboard()
{
    InputConfig config;
    config.m_name = "Airlock keyboard";
    config.m_serial = "airlock-keyboard";
    config.m_ids = DeviceIds {BUS_VIRTUAL, kVendorAirlock, kProductKeyboard, kVersion};
    // Every keyboard key evdev numbers below the buttons (KEY_ESC .. 0xff): whatever a PC
    // keyboard, a laptop's extra keys or a VNC client's keysym translation can produce.
    for (unsigned code = KEY_ESC; code < BTN_MISC; ++code)
        config.setEventBit(EV_KEY, code);
    config.setEventBit(EV_LED, LED_NUML);
    config.setEventBit(EV_LED, LED_CAPSL);
    config.setEventBit(EV_LED, LED_SCROLLL);
    // §5.8.5: EV_REP is announced by a non-zero size alone (the guest's kernel then repeats).
    config.m_eventBits[EV_REP] = {0};
    return config;
}

InputConfig InputConfig::tablet(uint32_t width, uint32_t height)
{
    InputConfig config;
    config.m_name = "Airlock tablet";
    config.m_serial = "airlock-tablet";
    config.m_ids = DeviceIds {BUS_VIRTUAL, kVendorAirlock, kProductTablet, kVersion};
    // No properties: without INPUT_PROP_DIRECT the guest treats it as a pointer that moves the
    // cursor to absolute positions (like an absolute mouse), not as a touchscreen.
    config.setEventBit(EV_ABS, ABS_X);
    config.setEventBit(EV_ABS, ABS_Y);
    config.m_absInfo[ABS_X] = axisOf(width);
    config.m_absInfo[ABS_Y] = axisOf(height);
    config.setEventBit(EV_KEY, BTN_LEFT);
    config.setEventBit(EV_KEY, BTN_RIGHT);
    config.setEventBit(EV_KEY, BTN_MIDDLE);
    config.setEventBit(EV_REL, REL_WHEEL);
    return config;
}

void InputConfig::setEventBit(unsigned type, unsigned code)
{
    setBit(m_eventBits[type], code);
}

bool InputConfig::advertises(uint16_t type, uint16_t code) const
{
    if (type == EV_SYN)
        return true;
    return type < kEventTypes && testBit(m_eventBits[type], code);
}

std::optional<InputConfig::AbsInfo> InputConfig::absInfo(uint16_t axis) const
{
    return axis < kAxes ? m_absInfo[axis] : std::nullopt;
}

void InputConfig::reset()
{
    m_select = kConfigUnset;
    m_subsel = 0;
}

void InputConfig::write(uint64_t offset, std::span<const uint8_t> data)
{
    // §5.8.5: the driver writes select and subsel; size and the union are the device's. The
    // values are stored as given: render() answers size 0 for any pair it does not know.
    if (offset > kConfigSubselOffset)
        return;
    for (size_t i = 0; i < data.size() && offset + i <= kConfigSubselOffset; ++i) {
        if (offset + i == kConfigSelectOffset)
            m_select = data[i];
        else
            m_subsel = data[i];
    }
}

void InputConfig::read(uint64_t offset, std::span<uint8_t> data) const
{
    if (offset >= kConfigSize)
        return;
    std::array<uint8_t, kConfigSize> bytes = render();
    size_t count = std::min<size_t>(data.size(), kConfigSize - offset);
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(offset), count, data.begin());
}

std::array<uint8_t, input::kConfigSize> InputConfig::render() const
{
    std::array<uint8_t, kConfigSize> bytes {};
    bytes[kConfigSelectOffset] = m_select;
    bytes[kConfigSubselOffset] = m_subsel;
    std::span<uint8_t> payload = std::span(bytes).subspan(kConfigUnionOffset);
    size_t size = 0;
    auto putBytes = [&](std::span<const uint8_t> source) {
        size = std::min<size_t>(source.size(), kConfigUnionSize);
        std::copy_n(source.begin(), size, payload.begin());
    };
    auto putString = [&](const std::string& text) {
        // Safety: viewing a std::string's chars as bytes; both are 1-byte trivially copyable.
        putBytes(std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    };
    // §5.8.5: each select answers one item; subsel picks among items where the spec says so
    // and must be 0 otherwise. Unknown pairs leave size 0 (§5.8.5.1 "size 0 … not supported").
    switch (m_select) {
    case kConfigIdName:
        if (m_subsel == 0)
            putString(m_name);
        break;
    case kConfigIdSerial:
        if (m_subsel == 0)
            putString(m_serial);
        break;
    case kConfigIdDevids:
        if (m_subsel == 0) {
            putLe16(payload, 0, m_ids.bustype);
            putLe16(payload, 2, m_ids.vendor);
            putLe16(payload, 4, m_ids.product);
            putLe16(payload, 6, m_ids.version);
            size = kDevidsSize;
        }
        break;
    case kConfigPropBits:
        if (m_subsel == 0)
            putBytes(m_properties);
        break;
    case kConfigEvBits:
        if (m_subsel < kEventTypes)
            putBytes(m_eventBits[m_subsel]);
        break;
    case kConfigAbsInfo:
        if (m_subsel < kAxes && m_absInfo[m_subsel]) {
            const AbsInfo& info = *m_absInfo[m_subsel];
            putLe32(payload, 0, info.min);
            putLe32(payload, 4, info.max);
            putLe32(payload, 8, info.fuzz);
            putLe32(payload, 12, info.flat);
            putLe32(payload, 16, info.resolution);
            size = kAbsInfoSize;
        }
        break;
    default:
        break;
    }
    bytes[kConfigSizeOffset] = static_cast<uint8_t>(size);
    return bytes;
}

} // namespace vmm
