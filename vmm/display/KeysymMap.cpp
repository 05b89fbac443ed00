#include "KeysymMap.h"

#include <algorithm>
#include <array>

#include <linux/input-event-codes.h>

// X keysyms (X11/keysymdef.h: Latin-1 keysyms equal their code point, function keys are 0xff..)
// to evdev codes (linux/input-event-codes.h) for a US layout. Written as a sorted table so that
// a lookup is a binary search and an unknown keysym simply is not found.

namespace vmm {

namespace {

struct KeysymCode {
    uint32_t keysym;
    uint16_t code;
};

// Sorted by keysym (checked at compile time below).
constexpr KeysymCode kKeys[] = {
    {0x0020, KEY_SPACE},
    {0x0021, KEY_1}, // !
    {0x0022, KEY_APOSTROPHE}, // "
    {0x0023, KEY_3}, // #
    {0x0024, KEY_4}, // $
    {0x0025, KEY_5}, // %
    {0x0026, KEY_7}, // &
    {0x0027, KEY_APOSTROPHE},
    {0x0028, KEY_9}, // (
    {0x0029, KEY_0}, // )
    {0x002a, KEY_8}, // *
    {0x002b, KEY_EQUAL}, // +
    {0x002c, KEY_COMMA},
    {0x002d, KEY_MINUS},
    {0x002e, KEY_DOT},
    {0x002f, KEY_SLASH},
    {0x0030, KEY_0},
    {0x0031, KEY_1},
    {0x0032, KEY_2},
    {0x0033, KEY_3},
    {0x0034, KEY_4},
    {0x0035, KEY_5},
    {0x0036, KEY_6},
    {0x0037, KEY_7},
    {0x0038, KEY_8},
    {0x0039, KEY_9},
    {0x003a, KEY_SEMICOLON}, // :
    {0x003b, KEY_SEMICOLON},
    {0x003c, KEY_COMMA}, // <
    {0x003d, KEY_EQUAL},
    {0x003e, KEY_DOT}, // >
    {0x003f, KEY_SLASH}, // ?
    {0x0040, KEY_2}, // @
    {0x005b, KEY_LEFTBRACE},
    {0x005c, KEY_BACKSLASH},
    {0x005d, KEY_RIGHTBRACE},
    {0x005e, KEY_6}, // ^
    {0x005f, KEY_MINUS}, // _
    {0x0060, KEY_GRAVE},
    {0x007b, KEY_LEFTBRACE}, // {
    {0x007c, KEY_BACKSLASH}, // |
    {0x007d, KEY_RIGHTBRACE}, // }
    {0x007e, KEY_GRAVE}, // ~
    {0xfe03, KEY_RIGHTALT}, // ISO_Level3_Shift (AltGr)
    {0xff08, KEY_BACKSPACE},
    {0xff09, KEY_TAB},
    {0xff0d, KEY_ENTER}, // Return
    {0xff13, KEY_PAUSE},
    {0xff14, KEY_SCROLLLOCK},
    {0xff1b, KEY_ESC},
    {0xff50, KEY_HOME},
    {0xff51, KEY_LEFT},
    {0xff52, KEY_UP},
    {0xff53, KEY_RIGHT},
    {0xff54, KEY_DOWN},
    {0xff55, KEY_PAGEUP}, // Prior
    {0xff56, KEY_PAGEDOWN}, // Next
    {0xff57, KEY_END},
    {0xff61, KEY_SYSRQ}, // Print
    {0xff63, KEY_INSERT},
    {0xff67, KEY_COMPOSE}, // Menu
    {0xff7f, KEY_NUMLOCK},
    {0xff8d, KEY_KPENTER},
    {0xff95, KEY_KP7}, // KP_Home
    {0xff96, KEY_KP4}, // KP_Left
    {0xff97, KEY_KP8}, // KP_Up
    {0xff98, KEY_KP6}, // KP_Right
    {0xff99, KEY_KP2}, // KP_Down
    {0xff9a, KEY_KP9}, // KP_Prior
    {0xff9b, KEY_KP3}, // KP_Next
    {0xff9c, KEY_KP1}, // KP_End
    {0xff9d, KEY_KP5}, // KP_Begin
    {0xff9e, KEY_KP0}, // KP_Insert
    {0xff9f, KEY_KPDOT}, // KP_Delete
    {0xffaa, KEY_KPASTERISK},
    {0xffab, KEY_KPPLUS},
    {0xffad, KEY_KPMINUS},
    {0xffae, KEY_KPDOT}, // KP_Decimal
    {0xffaf, KEY_KPSLASH},
    {0xffb0, KEY_KP0},
    {0xffb1, KEY_KP1},
    {0xffb2, KEY_KP2},
    {0xffb3, KEY_KP3},
    {0xffb4, KEY_KP4},
    {0xffb5, KEY_KP5},
    {0xffb6, KEY_KP6},
    {0xffb7, KEY_KP7},
    {0xffb8, KEY_KP8},
    {0xffb9, KEY_KP9},
    {0xffbd, KEY_KPEQUAL},
    {0xffbe, KEY_F1},
    {0xffbf, KEY_F2},
    {0xffc0, KEY_F3},
    {0xffc1, KEY_F4},
    {0xffc2, KEY_F5},
    {0xffc3, KEY_F6},
    {0xffc4, KEY_F7},
    {0xffc5, KEY_F8},
    {0xffc6, KEY_F9},
    {0xffc7, KEY_F10},
    {0xffc8, KEY_F11},
    {0xffc9, KEY_F12},
    {0xffe1, KEY_LEFTSHIFT},
    {0xffe2, KEY_RIGHTSHIFT},
    {0xffe3, KEY_LEFTCTRL},
    {0xffe4, KEY_RIGHTCTRL},
    {0xffe5, KEY_CAPSLOCK},
    {0xffe7, KEY_LEFTMETA}, // Meta_L
    {0xffe8, KEY_RIGHTMETA}, // Meta_R
    {0xffe9, KEY_LEFTALT},
    {0xffea, KEY_RIGHTALT},
    {0xffeb, KEY_LEFTMETA}, // Super_L
    {0xffec, KEY_RIGHTMETA}, // Super_R
    {0xffff, KEY_DELETE},
};

// The letters' keys in alphabetical order (their evdev codes follow the QWERTY rows).
constexpr uint16_t kLetters[26] = {KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I,
    KEY_J, KEY_K, KEY_L, KEY_M, KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T, KEY_U, KEY_V,
    KEY_W, KEY_X, KEY_Y, KEY_Z};

constexpr bool isSorted()
{
    for (size_t i = 1; i < std::size(kKeys); ++i) {
        if (kKeys[i - 1].keysym >= kKeys[i].keysym)
            return false;
    }
    return true;
}
static_assert(isSorted(), "kKeys must stay sorted by keysym for the binary search");

} // namespace

std::optional<uint16_t> evdevCodeForKeysym(uint32_t keysym)
{
    if (keysym >= 'a' && keysym <= 'z')
        return kLetters[keysym - 'a'];
    if (keysym >= 'A' && keysym <= 'Z')
        return kLetters[keysym - 'A'];
    auto found = std::lower_bound(std::begin(kKeys), std::end(kKeys), keysym,
        [](const KeysymCode& entry, uint32_t value) { return entry.keysym < value; });
    if (found == std::end(kKeys) || found->keysym != keysym)
        return std::nullopt;
    return found->code;
}

} // namespace vmm
