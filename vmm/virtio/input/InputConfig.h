#pragma once

#include "InputSpec.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vmm {

/// The configuration space of one virtio-input device (virtio 1.1 §5.8.5): what the device is
/// (name, serial, IDs, the evdev event types and codes it can send, its absolute axes) and the
/// select/subsel window through which the driver reads that, one item at a time. Every driver
/// write is hostile input: only select and subsel are writable, and a select/subsel pair that
/// names nothing the device has reads as size 0 with a zeroed union.
class InputConfig {
public:
    /// §5.8.5 struct virtio_input_absinfo.
    struct AbsInfo {
        uint32_t min = 0;
        uint32_t max = 0;
        uint32_t fuzz = 0;
        uint32_t flat = 0;
        uint32_t resolution = 0;
    };
    /// §5.8.5 struct virtio_input_devids.
    struct DeviceIds {
        uint16_t bustype = 0;
        uint16_t vendor = 0;
        uint16_t product = 0;
        uint16_t version = 0;
    };

    /// "Airlock keyboard": every key code below BTN_MISC, autorepeat, the three keyboard LEDs.
    static InputConfig keyboard();
    /// "Airlock tablet": ABS_X 0..width-1, ABS_Y 0..height-1, BTN_LEFT/RIGHT/MIDDLE, REL_WHEEL,
    /// and no INPUT_PROP_DIRECT (a pointer, not a touchscreen). Sizes are clamped to 1..2^31-1.
    static InputConfig tablet(uint32_t width, uint32_t height);

    /// Reads configuration space at `offset` into `data` (bytes past the structure stay as given).
    void read(uint64_t offset, std::span<uint8_t> data) const;
    /// A driver write: select and subsel take their bytes, everything else is ignored.
    void write(uint64_t offset, std::span<const uint8_t> data);
    /// Back to select = subsel = 0 (device reset).
    void reset();

    /// Whether the device announced events of `type` with `code` (EV_SYN always).
    bool advertises(uint16_t type, uint16_t code) const;
    /// The range of absolute axis `axis`, if the device has it.
    std::optional<AbsInfo> absInfo(uint16_t axis) const;

private:
    static constexpr size_t kEventTypes = 0x20; // EV_CNT
    static constexpr size_t kAxes = 0x40; // ABS_CNT

    InputConfig() = default;
    void setEventBit(unsigned type, unsigned code);
    /// The union's bytes and size for the current select/subsel.
    std::array<uint8_t, input::kConfigSize> render() const;

    std::string m_name;
    std::string m_serial;
    DeviceIds m_ids;
    std::vector<uint8_t> m_properties; // INPUT_PROP_* bitmap
    std::array<std::vector<uint8_t>, kEventTypes> m_eventBits; // per EV_* type, codes bitmap
    std::array<std::optional<AbsInfo>, kAxes> m_absInfo;
    uint8_t m_select = input::kConfigUnset;
    uint8_t m_subsel = 0;
};

} // namespace vmm
