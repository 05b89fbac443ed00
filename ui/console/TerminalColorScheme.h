#pragma once

#include <array>

#include <QColor>

namespace ui {

/// The terminal's colours: defaults, cursor and the 16 ANSI colours (256-colour cube is
/// libvterm's).
struct TerminalColorScheme {
    /// Text where the guest set no colour.
    QColor foreground;
    /// Background where the guest set no colour.
    QColor background;
    /// The block cursor.
    QColor cursor;
    /// ANSI colours 0–7 and their bright forms 8–15.
    std::array<QColor, 16> ansi;

    /// Konsole's "Breeze" scheme: a dark terminal that reads the same in light and dark desktops.
    static TerminalColorScheme breeze();
};

} // namespace ui
