#pragma once

#include <cstdint>

namespace vmm {

/// Where a display server's keyboard and pointer input goes: the guest's virtio-input keyboard
/// and tablet in airlock-vmm, a recorder in tests. Called from the display thread; an
/// implementation hands the events to whoever owns the devices and never blocks for long.
class InputSink {
public:
    /// Pointer buttons in pointer()'s mask (the RFB protocol's bits).
    enum Button : uint32_t {
        kButtonLeft = 1u << 0,
        kButtonMiddle = 1u << 1,
        kButtonRight = 1u << 2,
        kWheelUp = 1u << 3,
        kWheelDown = 1u << 4,
    };

    virtual ~InputSink() = default;

    /// A key went down or up; `code` is a Linux evdev key code (KEY_A, KEY_LEFTSHIFT, ...).
    virtual void key(uint16_t code, bool down) = 0;
    /// The pointer is at (x, y) in framebuffer pixels (already clamped to the geometry) with
    /// `buttons` (a mask of Button) held; wheel bits are momentary clicks.
    virtual void pointer(uint32_t x, uint32_t y, uint32_t buttons) = 0;
};

} // namespace vmm
