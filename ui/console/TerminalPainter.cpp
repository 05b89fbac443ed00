#include "TerminalPainter.h"

#include <QFontMetrics>
#include <QFontMetricsF>
#include <QPainter>

namespace ui {

namespace {

bool isPlainAscii(const PackedCell& cell)
{
    return cell.width == 1 && cell.characters[1] == 0 && cell.characters[0] < 0x80;
}

bool sameStyle(const PackedCell& left, const PackedCell& right)
{
    constexpr quint16 styleBits = PackedCell::Bold | PackedCell::Italic | PackedCell::Underline |
        PackedCell::Strike | PackedCell::Reverse;
    return (left.attributes & styleBits) == (right.attributes & styleBits) &&
        left.foreground == right.foreground && left.background == right.background;
}

PackedCell blankLike(const TerminalColorScheme& scheme)
{
    PackedCell blank;
    blank.foreground = scheme.foreground.rgb();
    blank.background = scheme.background.rgb();
    return blank;
}

} // namespace

TerminalPainter::TerminalPainter(const QFont& font, const TerminalColorScheme& scheme)
    : m_scheme(scheme)
{
    setFont(font);
}

void TerminalPainter::setFont(const QFont& font)
{
    // A cell is a whole number of pixels wide (the advance rounded), but a glyph's advance is
    // fractional (7.2 px...): a run of text drawn in one call drifted off the grid by a cell
    // every few dozen characters and overdrew the next run. Letter spacing makes up each
    // variant's difference, so every character of a run lands on its cell.
    const QFontMetrics metrics(font);
    const int cellWidth = qMax(1, metrics.horizontalAdvance(QLatin1Char('M')));
    for (std::size_t index = 0; index < m_fonts.size(); ++index) {
        QFont variant = font;
        variant.setBold((index & 1U) != 0);
        variant.setItalic((index & 2U) != 0);
        // Kerning would pull characters off the grid.
        variant.setKerning(false);
        const qreal advance = QFontMetricsF(variant).horizontalAdvance(QLatin1Char('M'));
        variant.setLetterSpacing(QFont::AbsoluteSpacing, cellWidth - advance);
        m_fonts[index] = variant;
    }
    m_cellSize = QSize(cellWidth, qMax(1, metrics.height()));
    m_ascent = metrics.ascent();
}

TerminalPainter::Colors TerminalPainter::colorsOf(const PackedCell& cell, bool selected) const
{
    Colors colors {QColor::fromRgb(cell.foreground), QColor::fromRgb(cell.background)};
    if (cell.has(PackedCell::Reverse) != selected) {
        std::swap(colors.foreground, colors.background);
    }
    return colors;
}

QFont TerminalPainter::fontFor(const PackedCell& cell) const
{
    const std::size_t index =
        (cell.has(PackedCell::Bold) ? 1U : 0U) | (cell.has(PackedCell::Italic) ? 2U : 0U);
    QFont font = m_fonts[index];
    if (cell.has(PackedCell::Underline)) {
        font.setUnderline(true);
    }
    if (cell.has(PackedCell::Strike)) {
        font.setStrikeOut(true);
    }
    return font;
}

void TerminalPainter::drawText(QPainter& painter, const QString& text, const PackedCell& style,
    int column, int top, const QColor& color) const
{
    painter.setFont(fontFor(style));
    painter.setPen(color);
    painter.drawText(QPoint(column * m_cellSize.width(), top + m_ascent), text);
}

void TerminalPainter::paintLine(QPainter& painter, const std::vector<PackedCell>& cells,
    int columns, int top, std::optional<ColumnSpan> selection) const
{
    const PackedCell blank = blankLike(m_scheme);
    const auto cellAt = [&](int column) -> const PackedCell& {
        const auto index = static_cast<std::size_t>(column);
        return index < cells.size() ? cells[index] : blank;
    };
    const auto isSelected = [&](int column) {
        return selection && column >= selection->first && column < selection->last;
    };

    // Backgrounds first, so wide glyphs and italics overhanging a neighbour are not cut off.
    for (int column = 0; column < columns; ++column) {
        const Colors colors = colorsOf(cellAt(column), isSelected(column));
        if (colors.background != m_scheme.background) {
            painter.fillRect(
                QRect(column * m_cellSize.width(), top, m_cellSize.width(), m_cellSize.height()),
                colors.background);
        }
    }

    // Text: runs of plain ASCII in one style are drawn together (fast), anything else one cell
    // at a time at its grid position (fallback fonts have other advances).
    int column = 0;
    while (column < columns) {
        const PackedCell& first = cellAt(column);
        const bool selected = isSelected(column);
        if (first.width == 0) {
            ++column;
            continue;
        }
        const Colors colors = colorsOf(first, selected);
        if (!isPlainAscii(first)) {
            drawText(painter, first.text(), first, column, top, colors.foreground);
            ++column;
            continue;
        }
        QString run;
        const int start = column;
        while (column < columns && isPlainAscii(cellAt(column)) &&
            sameStyle(cellAt(column), first) && isSelected(column) == selected) {
            const char32_t character = cellAt(column).characters[0];
            run.append(
                character == 0 ? QLatin1Char(' ') : QLatin1Char(static_cast<char>(character)));
            ++column;
        }
        const bool decorated = first.has(PackedCell::Underline) || first.has(PackedCell::Strike);
        if (decorated || !run.trimmed().isEmpty()) {
            drawText(painter, run, first, start, top, colors.foreground);
        }
    }
}

void TerminalPainter::paintCursor(
    QPainter& painter, const PackedCell& cell, int column, int top, bool block) const
{
    const int width = m_cellSize.width() * (cell.width == 2 ? 2 : 1);
    const QRect rect(column * m_cellSize.width(), top, width, m_cellSize.height());
    if (!block) {
        painter.setPen(m_scheme.cursor);
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(rect.adjusted(0, 0, -1, -1));
        return;
    }
    painter.fillRect(rect, m_scheme.cursor);
    if (cell.characters[0] != 0 && cell.width != 0) {
        drawText(painter, cell.text(), cell, column, top, m_scheme.background);
    }
}

} // namespace ui
