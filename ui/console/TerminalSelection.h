#pragma once

#include <optional>

#include <QtGlobal>

namespace ui {

/// A place in the terminal's history: line 0 is the oldest scrollback line, then screen rows.
struct TerminalPosition {
    /// Line in history.
    qint64 line = 0;
    /// Column.
    int column = 0;
};

/// Columns [first, last) of one line that lie in the selection.
struct ColumnSpan {
    /// First selected column.
    int first = 0;
    /// One past the last selected column.
    int last = 0;
};

/// A mouse selection over the terminal's history, in reading order from anchor to extent.
class TerminalSelection {
public:
    /// Starts a selection at a cell (nothing is selected until it extends).
    void start(TerminalPosition position);
    /// Moves the free end of the selection.
    void extend(TerminalPosition position);
    /// Forgets the selection.
    void clear();
    /// Whether nothing is selected.
    bool isEmpty() const;
    /// Moves the selection up by `lines` (lines dropped off the top of the scrollback); a
    /// selection that would start above line 0 is cleared.
    void shiftUp(qint64 lines);
    /// The first selected position in reading order.
    TerminalPosition begin() const;
    /// The position one past the last selected cell in reading order.
    TerminalPosition end() const;
    /// The selected columns of `line` given its width, or nothing.
    std::optional<ColumnSpan> columnsOnLine(qint64 line, int width) const;

private:
    TerminalPosition m_anchor;
    TerminalPosition m_extent;
    bool m_active = false;
};

} // namespace ui
