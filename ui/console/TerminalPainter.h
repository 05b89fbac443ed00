#pragma once

#include "PackedCell.h"
#include "TerminalColorScheme.h"
#include "TerminalSelection.h"

#include <array>
#include <optional>
#include <vector>

#include <QFont>
#include <QSize>

class QPainter;

namespace ui {

/// Draws terminal lines on a fixed grid: backgrounds, text runs, attributes and the cursor.
class TerminalPainter {
public:
    /// A painter for a monospace font and a colour scheme.
    TerminalPainter(const QFont& font, const TerminalColorScheme& scheme);

    /// Switches font; the cell size follows the font's metrics.
    void setFont(const QFont& font);
    /// Size of one cell in pixels: the advance of 'M' by the font's line height.
    QSize cellSize() const { return m_cellSize; }
    /// Paints `columns` cells of a line whose top is at pixel `top`; selected columns inverted.
    void paintLine(QPainter& painter, const std::vector<PackedCell>& cells, int columns, int top,
        std::optional<ColumnSpan> selection) const;
    /// Paints the cursor over the cell at (column, top): a block when focused, an outline when not.
    void paintCursor(
        QPainter& painter, const PackedCell& cell, int column, int top, bool block) const;

private:
    struct Colors {
        QColor foreground;
        QColor background;
    };

    Colors colorsOf(const PackedCell& cell, bool selected) const;
    QFont fontFor(const PackedCell& cell) const;
    void drawText(QPainter& painter, const QString& text, const PackedCell& style, int column,
        int top, const QColor& color) const;

    TerminalColorScheme m_scheme;
    // Regular, bold, italic, bold italic: built once per font change, not once per run.
    std::array<QFont, 4> m_fonts;
    QSize m_cellSize;
    int m_ascent = 0;
};

} // namespace ui
