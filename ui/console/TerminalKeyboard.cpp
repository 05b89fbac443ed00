#include "TerminalKeyboard.h"

#include "TerminalScreen.h"

#include <optional>

#include <QKeyEvent>
#include <QString>

namespace ui::TerminalKeyboard {

namespace {

constexpr char escape = '\x1b';

VTermModifier toVTerm(Qt::KeyboardModifiers modifiers)
{
    int result = VTERM_MOD_NONE;
    if (modifiers & Qt::ShiftModifier) {
        result |= VTERM_MOD_SHIFT;
    }
    if (modifiers & Qt::AltModifier) {
        result |= VTERM_MOD_ALT;
    }
    if (modifiers & Qt::ControlModifier) {
        result |= VTERM_MOD_CTRL;
    }
    return static_cast<VTermModifier>(result);
}

std::optional<VTermKey> keypadKey(int key)
{
    if (key >= Qt::Key_0 && key <= Qt::Key_9) {
        return static_cast<VTermKey>(VTERM_KEY_KP_0 + (key - Qt::Key_0));
    }
    switch (key) {
    case Qt::Key_Asterisk:
        return VTERM_KEY_KP_MULT;
    case Qt::Key_Plus:
        return VTERM_KEY_KP_PLUS;
    case Qt::Key_Comma:
        return VTERM_KEY_KP_COMMA;
    case Qt::Key_Minus:
        return VTERM_KEY_KP_MINUS;
    case Qt::Key_Period:
        return VTERM_KEY_KP_PERIOD;
    case Qt::Key_Slash:
        return VTERM_KEY_KP_DIVIDE;
    case Qt::Key_Enter:
        return VTERM_KEY_KP_ENTER;
    case Qt::Key_Equal:
        return VTERM_KEY_KP_EQUAL;
    default:
        return std::nullopt;
    }
}

std::optional<VTermKey> specialKey(int key)
{
    if (key >= Qt::Key_F1 && key <= Qt::Key_F35) {
        return static_cast<VTermKey>(VTERM_KEY_FUNCTION(1 + (key - Qt::Key_F1)));
    }
    switch (key) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        return VTERM_KEY_ENTER;
    case Qt::Key_Tab:
    case Qt::Key_Backtab:
        return VTERM_KEY_TAB;
    case Qt::Key_Backspace:
        return VTERM_KEY_BACKSPACE;
    case Qt::Key_Escape:
        return VTERM_KEY_ESCAPE;
    case Qt::Key_Up:
        return VTERM_KEY_UP;
    case Qt::Key_Down:
        return VTERM_KEY_DOWN;
    case Qt::Key_Left:
        return VTERM_KEY_LEFT;
    case Qt::Key_Right:
        return VTERM_KEY_RIGHT;
    case Qt::Key_Insert:
        return VTERM_KEY_INS;
    case Qt::Key_Delete:
        return VTERM_KEY_DEL;
    case Qt::Key_Home:
        return VTERM_KEY_HOME;
    case Qt::Key_End:
        return VTERM_KEY_END;
    case Qt::Key_PageUp:
        return VTERM_KEY_PAGEUP;
    case Qt::Key_PageDown:
        return VTERM_KEY_PAGEDOWN;
    default:
        return std::nullopt;
    }
}

// The character a Ctrl chord names, from the key rather than the text: Qt's text for Ctrl+C
// differs by platform ("\x03" on X11, "c" offscreen).
std::optional<char> controlCharacter(int key)
{
    if (key >= Qt::Key_A && key <= Qt::Key_Z) {
        return static_cast<char>(key - Qt::Key_A + 1);
    }
    switch (key) {
    case Qt::Key_Space:
    case Qt::Key_At:
    case Qt::Key_2:
        return '\x00';
    case Qt::Key_BracketLeft:
        return '\x1b';
    case Qt::Key_Backslash:
        return '\x1c';
    case Qt::Key_BracketRight:
        return '\x1d';
    case Qt::Key_AsciiCircum:
        return '\x1e';
    case Qt::Key_Underscore:
    case Qt::Key_Minus:
        return '\x1f';
    case Qt::Key_Question:
        return '\x7f';
    default:
        return std::nullopt;
    }
}

void sendCodePoints(TerminalScreen& screen, const QString& text, VTermModifier modifiers)
{
    for (const char32_t codePoint : text.toUcs4()) {
        if (codePoint < 0x20 || codePoint == 0x7f) {
            // Control characters from the platform (Ctrl chords libvterm would spell as CSI u).
            QByteArray bytes;
            if (modifiers & VTERM_MOD_ALT) {
                bytes.append(escape);
            }
            bytes.append(static_cast<char>(codePoint));
            screen.sendBytes(bytes);
            continue;
        }
        vterm_keyboard_unichar(screen.handle(), codePoint, modifiers);
    }
}

} // namespace

bool sendKey(TerminalScreen& screen, const QKeyEvent& event)
{
    const Qt::KeyboardModifiers qtModifiers = event.modifiers();
    VTermModifier modifiers = toVTerm(qtModifiers);
    const int key = event.key();

    if (qtModifiers & Qt::KeypadModifier) {
        if (const std::optional<VTermKey> keypad = keypadKey(key)) {
            vterm_keyboard_key(screen.handle(), *keypad, modifiers);
            return true;
        }
    }
    if (const std::optional<VTermKey> special = specialKey(key)) {
        if (key == Qt::Key_Backtab) {
            modifiers = static_cast<VTermModifier>(modifiers | VTERM_MOD_SHIFT);
        }
        vterm_keyboard_key(screen.handle(), *special, modifiers);
        return true;
    }
    if (qtModifiers & Qt::ControlModifier) {
        // Classic C0 codes, as Konsole and xterm send them: libvterm would spell Ctrl+I, J, M
        // and [ as CSI u, which shells such as busybox ash do not understand.
        if (const std::optional<char> control = controlCharacter(key)) {
            QByteArray bytes;
            if (qtModifiers & Qt::AltModifier) {
                bytes.append(escape);
            }
            bytes.append(*control);
            screen.sendBytes(bytes);
            return true;
        }
    }
    const QString text = event.text();
    if (text.isEmpty()) {
        return false;
    }
    // Ctrl with a character that has no control code (Ctrl+1) sends the character, as xterm does.
    sendCodePoints(screen, text, static_cast<VTermModifier>(modifiers & VTERM_MOD_ALT));
    return true;
}

void sendText(TerminalScreen& screen, const QString& text)
{
    sendCodePoints(screen, text, VTERM_MOD_NONE);
}

void sendPaste(TerminalScreen& screen, const QString& text)
{
    QString cleaned;
    cleaned.reserve(text.size());
    for (qsizetype index = 0; index < text.size(); ++index) {
        const QChar character = text.at(index);
        const char16_t unit = character.unicode();
        if (unit == u'\r' && index + 1 < text.size() && text.at(index + 1) == u'\n') {
            continue; // CR LF is one Enter
        }
        if (unit == u'\n' || unit == u'\r') {
            cleaned.append(u'\r');
        } else if (unit == u'\t') {
            cleaned.append(character);
        } else if (unit < 0x20 || (unit >= 0x7f && unit < 0xa0)) {
            // ESC, other C0 and C1 controls: dropped, so a paste cannot end bracketed-paste
            // mode early or run hidden escape sequences.
        } else {
            cleaned.append(character);
        }
    }
    vterm_keyboard_start_paste(screen.handle());
    screen.sendBytes(cleaned.toUtf8());
    vterm_keyboard_end_paste(screen.handle());
}

} // namespace ui::TerminalKeyboard
