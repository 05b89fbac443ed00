#pragma once

#include "TerminalCell.h"
#include "TerminalColorScheme.h"
#include "TerminalSelection.h"

#include <memory>
#include <vector>

#include <QAbstractScrollArea>
#include <QByteArray>
#include <QTimer>

namespace ui {

class TerminalPainter;
class TerminalScreen;
struct PackedCell;

/// The guest console as a VT100/xterm terminal (libvterm): colours, attributes, cursor
/// addressing, alternate screen, 10,000 lines of scrollback, selection, copy and paste.
/// Guest output is hostile input: it is parsed in bounded slices and held in bounded memory.
class TerminalView : public QAbstractScrollArea {
    Q_OBJECT

public:
    /// Lines kept after they scroll off the top.
    static constexpr int scrollbackCapacity = 10'000;
    /// Unparsed output held at most; older unparsed bytes beyond it are dropped.
    static constexpr qsizetype maximumPendingBytes = 8 * 1024 * 1024;

    /// An empty 24 x 80 terminal in the system's fixed-width font.
    explicit TerminalView(QWidget* parent = nullptr);
    ~TerminalView() override;

    /// Queues guest output; UTF-8 and escape sequences may be split anywhere between calls.
    void feed(const QByteArray& bytes);
    /// Output received but not parsed yet (the GUI parses it in slices between events).
    qsizetype pendingBytes() const;
    /// Output dropped because more than maximumPendingBytes waited to be parsed.
    quint64 droppedBytes() const { return m_droppedBytes; }

    /// The visible screen (not the scrollback) as text: one line per row, trailing blanks trimmed.
    QString screenText() const;
    /// The screen cell at (row, column), 0-based; a blank default cell outside the screen.
    TerminalCell cellAt(int row, int column) const;
    /// Screen rows.
    int rows() const;
    /// Screen columns.
    int columns() const;
    /// Cursor position as (column, row).
    QPoint cursorPosition() const;
    /// Whether a full-screen program switched to the alternate screen.
    bool isAlternateScreen() const;
    /// Lines held in the scrollback.
    int scrollbackLineCount() const;
    /// Scrollback line `index` (0 = oldest) as text, trailing blanks trimmed.
    QString scrollbackLineText(int index) const;
    /// Size of one character cell in pixels.
    QSize cellSize() const;
    /// The colours in use.
    const TerminalColorScheme& colorScheme() const { return m_scheme; }

    /// Turns cursor blinking on or off (on by default; the guest may also ask for a steady one).
    void setCursorBlinkEnabled(bool enabled);
    /// Whether the cursor may blink.
    bool cursorBlinkEnabled() const { return m_cursorBlinkEnabled; }

    /// The selected text, lines joined by '\n', trailing blanks trimmed.
    QString selectedText() const;
    /// Copies the selection to the clipboard (Ctrl+Shift+C).
    void copySelection();
    /// Pastes the clipboard into the guest (Ctrl+Shift+V), bracketed when the guest asked.
    void paste();
    /// Pastes the primary selection, or the clipboard where there is none (middle click).
    void pasteSelection();

    /// 80 x 24 cells.
    QSize sizeHint() const override;

Q_SIGNALS:
    /// Bytes for the guest: what the user typed or pasted, and replies to terminal queries.
    void inputProduced(const QByteArray& bytes);
    /// The grid changed size (the widget resized or the font changed).
    void sizeChanged(int rows, int columns);

protected:
    bool event(QEvent* event) override;
    bool focusNextPrevChild(bool next) override;
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void keyPressEvent(QKeyEvent* event) override;
    void inputMethodEvent(QInputMethodEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;

private:
    void processPending();
    void afterScreenChange();
    void emitInput();
    void updateScrollBar();
    void resizeGrid();
    void scrollToBottom();
    void restartCursorBlink();
    void updateCursorCell();
    std::vector<PackedCell> historyLine(qint64 line) const;
    QString lineText(const std::vector<PackedCell>& cells, int first, int last) const;
    TerminalPosition positionAt(QPoint point) const;
    bool forwardMouse(QMouseEvent* event, bool pressed);

    TerminalColorScheme m_scheme;
    std::unique_ptr<TerminalScreen> m_screen;
    std::unique_ptr<TerminalPainter> m_painter;
    TerminalSelection m_selection;
    QByteArray m_pending;
    qsizetype m_pendingOffset = 0;
    quint64 m_droppedBytes = 0;
    quint64 m_seenDroppedLines = 0;
    int m_seenScrollbackLines = 0;
    QTimer m_feedTimer;
    QTimer m_blinkTimer;
    bool m_cursorBlinkEnabled = true;
    bool m_cursorShown = true;
    bool m_followOutput = true;
    bool m_updatingScrollBar = false;
    bool m_selecting = false;
};

} // namespace ui
