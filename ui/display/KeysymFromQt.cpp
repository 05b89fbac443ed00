#include "KeysymFromQt.h"

#include <QKeyEvent>

namespace ui {

namespace {

// X keycodes (evdev code + 8, as xcb and Wayland report them) of the right-hand modifiers.
constexpr quint32 rightShiftKeycode = 62;
constexpr quint32 rightControlKeycode = 105;
constexpr quint32 rightAltKeycode = 108;
constexpr quint32 rightSuperKeycode = 134;

quint32 leftOrRight(quint32 nativeScanCode, quint32 rightKeycode, quint32 left, quint32 right)
{
    return nativeScanCode == rightKeycode ? right : left;
}

/// Keys that do not produce text, from X11's keysymdef.h.
quint32 specialKeysym(int key, quint32 nativeScanCode)
{
    switch (key) {
    case Qt::Key_Return:
        return 0xff0d;
    case Qt::Key_Enter:
        return 0xff8d; // KP_Enter
    case Qt::Key_Backspace:
        return 0xff08;
    case Qt::Key_Tab:
    case Qt::Key_Backtab:
        return 0xff09; // Shift+Tab: Tab with Shift held
    case Qt::Key_Escape:
        return 0xff1b;
    case Qt::Key_Delete:
        return 0xffff;
    case Qt::Key_Insert:
        return 0xff63;
    case Qt::Key_Home:
        return 0xff50;
    case Qt::Key_Left:
        return 0xff51;
    case Qt::Key_Up:
        return 0xff52;
    case Qt::Key_Right:
        return 0xff53;
    case Qt::Key_Down:
        return 0xff54;
    case Qt::Key_PageUp:
        return 0xff55;
    case Qt::Key_PageDown:
        return 0xff56;
    case Qt::Key_End:
        return 0xff57;
    case Qt::Key_Print:
        return 0xff61;
    case Qt::Key_Pause:
        return 0xff13;
    case Qt::Key_ScrollLock:
        return 0xff14;
    case Qt::Key_NumLock:
        return 0xff7f;
    case Qt::Key_CapsLock:
        return 0xffe5;
    case Qt::Key_Menu:
        return 0xff67;
    case Qt::Key_Space:
        return 0x20;
    case Qt::Key_Shift:
        return leftOrRight(nativeScanCode, rightShiftKeycode, 0xffe1, 0xffe2);
    case Qt::Key_Control:
        return leftOrRight(nativeScanCode, rightControlKeycode, 0xffe3, 0xffe4);
    case Qt::Key_Alt:
        return leftOrRight(nativeScanCode, rightAltKeycode, 0xffe9, 0xffea);
    case Qt::Key_AltGr:
        return 0xfe03; // ISO_Level3_Shift
    case Qt::Key_Meta:
    case Qt::Key_Super_L:
        return leftOrRight(nativeScanCode, rightSuperKeycode, 0xffeb, 0xffec);
    case Qt::Key_Super_R:
        return 0xffec;
    default:
        break;
    }
    if (key >= Qt::Key_F1 && key <= Qt::Key_F12)
        return 0xffbe + quint32(key - Qt::Key_F1);
    return 0;
}

} // namespace

quint32 keysymFromQt(
    int key, Qt::KeyboardModifiers modifiers, const QString& text, quint32 nativeScanCode)
{
    if (const quint32 special = specialKeysym(key, nativeScanCode))
        return special;
    // The layout's character: Latin-1 keysyms equal their code points, others are 0x01000000
    // plus the code point (X11's Unicode keysyms).
    if (text.size() == 1 || (text.size() == 2 && text.at(0).isHighSurrogate())) {
        const char32_t codePoint = text.toUcs4().value(0);
        if (codePoint >= 0x20 && codePoint != 0x7f && !(codePoint >= 0x80 && codePoint < 0xa0))
            return codePoint <= 0xff ? quint32(codePoint) : 0x01000000u + quint32(codePoint);
    }
    // No usable text (Ctrl held, or a synthetic event): Qt's codes for ASCII keys are ASCII.
    if (key >= Qt::Key_A && key <= Qt::Key_Z)
        return quint32(modifiers.testFlag(Qt::ShiftModifier) ? key : key - Qt::Key_A + 'a');
    if (key >= Qt::Key_Space && key <= Qt::Key_ydiaeresis)
        return quint32(key);
    return 0;
}

quint32 keysymFromQt(const QKeyEvent& event)
{
    return keysymFromQt(event.key(), event.modifiers(), event.text(), event.nativeScanCode());
}

} // namespace ui
