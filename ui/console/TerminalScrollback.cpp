#include "TerminalScrollback.h"

#include <utility>

namespace ui {

TerminalScrollback::TerminalScrollback(int capacity)
    : m_capacity(qMax(0, capacity))
{
}

void TerminalScrollback::push(std::vector<PackedCell> line)
{
    if (m_capacity == 0) {
        ++m_droppedLines;
        return;
    }
    if (lineCount() >= m_capacity) {
        m_lines.pop_front();
        ++m_droppedLines;
    }
    line.shrink_to_fit();
    m_lines.push_back(std::move(line));
}

std::optional<std::vector<PackedCell>> TerminalScrollback::popNewest()
{
    if (m_lines.empty()) {
        return std::nullopt;
    }
    std::vector<PackedCell> line = std::move(m_lines.back());
    m_lines.pop_back();
    return line;
}

const std::vector<PackedCell>& TerminalScrollback::line(int index) const
{
    return m_lines.at(static_cast<std::size_t>(index));
}

void TerminalScrollback::clear()
{
    m_lines.clear();
}

} // namespace ui
