#pragma once

#include "PackedCell.h"
#include "TerminalColorScheme.h"
#include "TerminalScrollback.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>
#include <vterm.h>

#include <QByteArray>
#include <QPoint>

namespace ui {

/// Rows [first, last) of the screen that changed since the last repaint.
struct RowSpan {
    /// First changed row.
    int first = 0;
    /// One past the last changed row.
    int last = 0;
};

/// libvterm's terminal: parses guest output into screen cells and scrollback, and encodes what
/// the user types. Widget-free; TerminalView draws it.
class TerminalScreen {
public:
    /// Largest grid accepted, so a huge widget cannot make libvterm allocate without bound.
    static constexpr int maximumRows = 500;
    /// Largest grid accepted (see maximumRows).
    static constexpr int maximumColumns = 1000;

    /// A blank screen of rows x columns (clamped to 1..maximum) with the scheme's colours.
    TerminalScreen(int rows, int columns, const TerminalColorScheme& scheme, int scrollbackLines);
    ~TerminalScreen();
    TerminalScreen(const TerminalScreen&) = delete;
    TerminalScreen& operator=(const TerminalScreen&) = delete;

    /// Parses guest output; a UTF-8 or escape sequence split across calls continues where it
    /// stopped.
    void write(const char* bytes, std::size_t length);
    /// Changes the grid (clamped); rows that no longer fit move to the scrollback and come back.
    void resize(int rows, int columns);
    /// Screen rows.
    int rows() const { return m_rows; }
    /// Screen columns.
    int columns() const { return m_columns; }
    /// Screen row `row`, columns() cells.
    std::vector<PackedCell> row(int row) const;
    /// One screen cell; a blank default cell outside the grid.
    PackedCell cell(int row, int column) const;
    /// Cursor as (column, row).
    QPoint cursor() const;
    /// Whether the guest shows the cursor (DECTCEM).
    bool cursorVisible() const { return m_cursorVisible; }
    /// Whether the guest asked for a blinking cursor.
    bool cursorBlinking() const { return m_cursorBlinking; }
    /// Whether the alternate screen (full-screen programs) is active.
    bool alternateScreen() const { return m_alternateScreen; }
    /// Whether the guest asked for mouse reports (VTERM_PROP_MOUSE_*; 0 when off).
    int mouseMode() const { return m_mouseMode; }
    /// Lines scrolled off the top of the primary screen.
    const TerminalScrollback& scrollback() const { return m_scrollback; }
    /// Rows changed since the last call, or nothing.
    std::optional<RowSpan> takeDamage();
    /// Bytes for the guest since the last call: keys, pastes, replies to terminal queries.
    QByteArray takeInput();
    /// Queues raw bytes for the guest (control characters the key encoder does not produce).
    void sendBytes(const QByteArray& bytes);
    /// The libvterm handle for the keyboard encoder (TerminalKeyboard).
    VTerm* handle() { return m_terminal.get(); }
    /// The colours in use.
    const TerminalColorScheme& scheme() const { return m_scheme; }

private:
    friend struct TerminalScreenCallbacks;
    struct VTermDeleter {
        void operator()(VTerm* terminal) const { vterm_free(terminal); }
    };

    PackedCell pack(const VTermScreenCell& cell) const;
    VTermScreenCell unpack(const PackedCell& cell) const;
    PackedCell blankCell() const;
    void markDamaged(int first, int last);

    TerminalColorScheme m_scheme;
    std::unique_ptr<VTerm, VTermDeleter> m_terminal;
    VTermScreen* m_screen = nullptr;
    TerminalScrollback m_scrollback;
    QByteArray m_input;
    QByteArray m_utf8Tail;
    std::optional<RowSpan> m_damage;
    int m_rows = 0;
    int m_columns = 0;
    int m_mouseMode = 0;
    bool m_cursorVisible = true;
    bool m_cursorBlinking = true;
    bool m_alternateScreen = false;
};

} // namespace ui
