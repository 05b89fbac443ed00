#pragma once

class QKeyEvent;
class QString;

namespace ui {

class TerminalScreen;

/// Turns Qt key events and pasted text into the bytes a VT/xterm guest expects, through
/// libvterm's keyboard functions (so cursor-key and keypad modes the guest sets are honoured).
namespace TerminalKeyboard {

/// Encodes a key press into the screen's input; false when the key means nothing to a terminal.
bool sendKey(TerminalScreen& screen, const QKeyEvent& event);

/// Encodes typed or composed text (input methods) as UTF-8.
void sendText(TerminalScreen& screen, const QString& text);

/// Encodes a paste: bracketed when the guest asked for it, newlines as Enter, and control
/// characters removed so pasted text cannot smuggle escape sequences to the guest.
void sendPaste(TerminalScreen& screen, const QString& text);

} // namespace TerminalKeyboard

} // namespace ui
