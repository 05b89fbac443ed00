#include "TerminalSelection.h"

#include <algorithm>

namespace ui {

namespace {

bool before(TerminalPosition left, TerminalPosition right)
{
    return left.line < right.line || (left.line == right.line && left.column < right.column);
}

} // namespace

void TerminalSelection::start(TerminalPosition position)
{
    m_anchor = position;
    m_extent = position;
    m_active = true;
}

void TerminalSelection::extend(TerminalPosition position)
{
    if (m_active) {
        m_extent = position;
    }
}

void TerminalSelection::clear()
{
    m_active = false;
}

bool TerminalSelection::isEmpty() const
{
    return !m_active || (m_anchor.line == m_extent.line && m_anchor.column == m_extent.column);
}

void TerminalSelection::shiftUp(qint64 lines)
{
    if (!m_active || lines <= 0) {
        return;
    }
    m_anchor.line -= lines;
    m_extent.line -= lines;
    if (begin().line < 0) {
        clear();
    }
}

TerminalPosition TerminalSelection::begin() const
{
    return before(m_extent, m_anchor) ? m_extent : m_anchor;
}

TerminalPosition TerminalSelection::end() const
{
    return before(m_extent, m_anchor) ? m_anchor : m_extent;
}

std::optional<ColumnSpan> TerminalSelection::columnsOnLine(qint64 line, int width) const
{
    if (isEmpty()) {
        return std::nullopt;
    }
    const TerminalPosition first = begin();
    const TerminalPosition last = end();
    if (line < first.line || line > last.line) {
        return std::nullopt;
    }
    const int from = line == first.line ? std::clamp(first.column, 0, width) : 0;
    const int to = line == last.line ? std::clamp(last.column, 0, width) : width;
    if (from >= to) {
        return std::nullopt;
    }
    return ColumnSpan {from, to};
}

} // namespace ui
