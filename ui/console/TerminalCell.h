#pragma once

#include <QColor>
#include <QString>

namespace ui {

/// One character cell of the terminal as the user sees it (for tests and accessibility).
struct TerminalCell {
    /// The character in the cell with any combining mark; empty for a blank cell.
    QString text;
    /// Foreground colour, resolved from the palette (before `reverse` is applied).
    QColor foreground;
    /// Background colour, resolved from the palette (before `reverse` is applied).
    QColor background;
    /// True where the guest set no foreground colour: the scheme's default is used.
    bool defaultForeground = true;
    /// True where the guest set no background colour: the scheme's default is used.
    bool defaultBackground = true;
    /// SGR 1.
    bool bold = false;
    /// SGR 3.
    bool italic = false;
    /// SGR 4 (any underline style).
    bool underline = false;
    /// SGR 5; drawn steady, as Konsole does by default.
    bool blink = false;
    /// SGR 7: foreground and background swapped when drawn.
    bool reverse = false;
    /// SGR 9.
    bool strike = false;
    /// Columns the character takes: 1, 2 for a wide character, 0 for the right half of one.
    int width = 1;
};

} // namespace ui
