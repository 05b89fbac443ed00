#pragma once

#include <QString>
#include <Qt>

class QKeyEvent;

namespace ui {

/// The X keysym (what RFB key events carry) for a Qt key, 0 when there is none. Printable keys
/// follow the text the keyboard layout produced; modifiers tell left from right through the X
/// keycode in `nativeScanCode` when there is one (0: left).
quint32 keysymFromQt(
    int key, Qt::KeyboardModifiers modifiers, const QString& text, quint32 nativeScanCode);

/// keysymFromQt() for a key event.
quint32 keysymFromQt(const QKeyEvent& event);

} // namespace ui
