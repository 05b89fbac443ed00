#pragma once

#include <cstdint>

// Constants of the input device (virtio 1.1 §5.8) in the house's kCamelCase. Event types and
// codes are Linux evdev's (§5.8.6: "the events are those of Linux evdev"), so the device code
// spells them with <linux/input-event-codes.h>'s names.
namespace vmm::input {

/// §5.8.1: the input device's ID (VIRTIO_ID_INPUT). virtio::kDeviceId* lives in VirtioSpec.h.
inline constexpr uint32_t kDeviceIdInput = 18;

/// §5.8.2 virtqueues.
inline constexpr uint32_t kEventQueue = 0; // eventq: device → driver events
inline constexpr uint32_t kStatusQueue = 1; // statusq: driver → device (LED states)

/// §5.8.5 enum virtio_input_config_select.
inline constexpr uint8_t kConfigUnset = 0x00; // VIRTIO_INPUT_CFG_UNSET
inline constexpr uint8_t kConfigIdName = 0x01; // VIRTIO_INPUT_CFG_ID_NAME
inline constexpr uint8_t kConfigIdSerial = 0x02; // VIRTIO_INPUT_CFG_ID_SERIAL
inline constexpr uint8_t kConfigIdDevids = 0x03; // VIRTIO_INPUT_CFG_ID_DEVIDS
inline constexpr uint8_t kConfigPropBits = 0x10; // VIRTIO_INPUT_CFG_PROP_BITS
inline constexpr uint8_t kConfigEvBits = 0x11; // VIRTIO_INPUT_CFG_EV_BITS
inline constexpr uint8_t kConfigAbsInfo = 0x12; // VIRTIO_INPUT_CFG_ABS_INFO

/// §5.8.5 struct virtio_input_config: select, subsel, size, reserved[5], then a 128-byte union.
inline constexpr uint64_t kConfigSelectOffset = 0;
inline constexpr uint64_t kConfigSubselOffset = 1;
inline constexpr uint64_t kConfigSizeOffset = 2;
inline constexpr uint64_t kConfigUnionOffset = 8;
inline constexpr uint64_t kConfigUnionSize = 128;
inline constexpr uint64_t kConfigSize = kConfigUnionOffset + kConfigUnionSize;

/// §5.8.5 struct virtio_input_absinfo (five le32) and struct virtio_input_devids (four le16).
inline constexpr uint8_t kAbsInfoSize = 20;
inline constexpr uint8_t kDevidsSize = 8;

/// §5.8.6 struct virtio_input_event { le16 type; le16 code; le32 value; }.
inline constexpr uint32_t kEventSize = 8;

/// One evdev event as it travels on the eventq (§5.8.6).
struct InputEvent {
    uint16_t type = 0;
    uint16_t code = 0;
    uint32_t value = 0;

    bool operator==(const InputEvent&) const = default;
};

} // namespace vmm::input
