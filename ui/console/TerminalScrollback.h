#pragma once

#include "PackedCell.h"

#include <deque>
#include <optional>
#include <vector>

#include <QtGlobal>

namespace ui {

/// The lines that scrolled off the top of the screen, oldest first, capped so hostile output
/// cannot grow memory without bound.
class TerminalScrollback {
public:
    /// A store that keeps at most `capacity` lines.
    explicit TerminalScrollback(int capacity);

    /// Appends a line (trailing blanks already trimmed); drops the oldest line when full.
    void push(std::vector<PackedCell> line);
    /// Removes and returns the newest line (the screen grew taller), or nothing when empty.
    std::optional<std::vector<PackedCell>> popNewest();
    /// Lines held.
    int lineCount() const { return static_cast<int>(m_lines.size()); }
    /// Line `index`, 0 being the oldest held.
    const std::vector<PackedCell>& line(int index) const;
    /// The most lines ever held.
    int capacity() const { return m_capacity; }
    /// Lines dropped off the top since creation; views use it to keep what they show in place.
    quint64 droppedLines() const { return m_droppedLines; }
    /// Forgets every line.
    void clear();

private:
    std::deque<std::vector<PackedCell>> m_lines;
    int m_capacity;
    quint64 m_droppedLines = 0;
};

} // namespace ui
