#pragma once

#include "TerminalCell.h"

#include <array>

#include <QRgb>
#include <QtGlobal>

namespace ui {

/// A terminal cell packed small (20 bytes), so 10,000 lines of scrollback stay affordable.
struct PackedCell {
    /// Bits of `attributes`.
    enum Attribute : quint16 {
        Bold = 1 << 0,
        Italic = 1 << 1,
        Underline = 1 << 2,
        Blink = 1 << 3,
        Reverse = 1 << 4,
        Strike = 1 << 5,
        DefaultForeground = 1 << 6,
        DefaultBackground = 1 << 7,
    };

    /// The base character and its first combining mark, 0 where absent; {0, 0} is a blank cell.
    std::array<char32_t, 2> characters {};
    /// Foreground as RGB, already resolved from the palette.
    QRgb foreground = 0;
    /// Background as RGB, already resolved from the palette.
    QRgb background = 0;
    /// Attribute bits.
    quint16 attributes = DefaultForeground | DefaultBackground;
    /// 1, 2 for a wide character, 0 for the cell that continues a wide character.
    quint8 width = 1;

    /// Whether an attribute bit is set.
    bool has(Attribute attribute) const { return (attributes & attribute) != 0; }

    /// The character(s) as text; a space for a blank cell, empty for a wide character's right half.
    QString text() const
    {
        if (width == 0) {
            return {};
        }
        if (characters[0] == 0) {
            return QStringLiteral(" ");
        }
        const int count = characters[1] == 0 ? 1 : 2;
        return QString::fromUcs4(characters.data(), count);
    }

    /// The public, unpacked form.
    TerminalCell unpacked() const
    {
        TerminalCell cell;
        if (characters[0] != 0 && width != 0) {
            cell.text = text();
        }
        cell.foreground = QColor::fromRgb(foreground);
        cell.background = QColor::fromRgb(background);
        cell.defaultForeground = has(DefaultForeground);
        cell.defaultBackground = has(DefaultBackground);
        cell.bold = has(Bold);
        cell.italic = has(Italic);
        cell.underline = has(Underline);
        cell.blink = has(Blink);
        cell.reverse = has(Reverse);
        cell.strike = has(Strike);
        cell.width = width;
        return cell;
    }
};

} // namespace ui
