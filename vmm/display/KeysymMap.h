#pragma once

#include <cstdint>
#include <optional>

namespace vmm {

/// The Linux evdev key code (KEY_A, KEY_LEFTSHIFT, ...) of an X keysym a VNC viewer sent, for a US
/// keyboard layout: letters of either case give their key, shifted symbols give their base key
/// ('!' gives KEY_1, since the viewer also sends Shift), and the keypad's keysyms give the main
/// keys they mean. Nothing for a keysym outside that set (the caller drops and counts it).
std::optional<uint16_t> evdevCodeForKeysym(uint32_t keysym);

} // namespace vmm
