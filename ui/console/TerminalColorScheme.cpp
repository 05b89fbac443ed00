#include "TerminalColorScheme.h"

namespace ui {

TerminalColorScheme TerminalColorScheme::breeze()
{
    TerminalColorScheme scheme;
    scheme.foreground = QColor(252, 252, 252);
    scheme.background = QColor(35, 38, 39);
    scheme.cursor = QColor(252, 252, 252);
    scheme.ansi = {
        QColor(35, 38, 39), // black
        QColor(237, 21, 21), // red
        QColor(17, 209, 22), // green
        QColor(246, 116, 0), // yellow
        QColor(29, 153, 243), // blue
        QColor(155, 89, 182), // magenta
        QColor(26, 188, 156), // cyan
        QColor(252, 252, 252), // white
        QColor(127, 140, 141), // bright black
        QColor(192, 57, 43), // bright red
        QColor(28, 220, 154), // bright green
        QColor(253, 188, 75), // bright yellow
        QColor(61, 174, 233), // bright blue
        QColor(142, 68, 173), // bright magenta
        QColor(22, 160, 133), // bright cyan
        QColor(255, 255, 255), // bright white
    };
    return scheme;
}

} // namespace ui
