// TerminalView: output, geometry and painting. Keyboard, mouse and clipboard are in
// TerminalViewInput.cpp.
#include "TerminalView.h"

#include "TerminalPainter.h"
#include "TerminalScreen.h"

#include <algorithm>

#include <QElapsedTimer>
#include <QFontDatabase>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollBar>

namespace ui {

namespace {

constexpr int defaultRows = 24;
constexpr int defaultColumns = 80;
// Output is parsed in small pieces with a time budget per event-loop turn: a line feed at the
// bottom scrolls the whole screen in libvterm, so bytes alone do not bound the work.
constexpr qsizetype pieceBytes = 1024;
constexpr qsizetype sliceBytes = 64 * 1024;
constexpr qint64 sliceMilliseconds = 8;
constexpr int blinkMilliseconds = 500;

} // namespace

TerminalView::TerminalView(QWidget* parent)
    : QAbstractScrollArea(parent)
    , m_scheme(TerminalColorScheme::breeze())
    , m_screen(std::make_unique<TerminalScreen>(
          defaultRows, defaultColumns, m_scheme, scrollbackCapacity))
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_painter = std::make_unique<TerminalPainter>(font(), m_scheme);

    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_InputMethodEnabled);
    // Always shown, so the column count does not change when the first line scrolls off.
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOn);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    viewport()->setCursor(Qt::IBeamCursor);
    verticalScrollBar()->setSingleStep(1);

    m_feedTimer.setSingleShot(true);
    m_feedTimer.setInterval(0);
    connect(&m_feedTimer, &QTimer::timeout, this, &TerminalView::processPending);
    m_blinkTimer.setInterval(blinkMilliseconds);
    connect(&m_blinkTimer, &QTimer::timeout, this, [this] {
        // A guest that asks for a steady cursor (DECSET 12 off) gets one.
        m_cursorShown = m_screen->cursorBlinking() ? !m_cursorShown : true;
        updateCursorCell();
    });
    updateScrollBar();
}

TerminalView::~TerminalView() = default;

void TerminalView::feed(const QByteArray& bytes)
{
    if (bytes.isEmpty()) {
        return;
    }
    const bool idle = pendingBytes() == 0;
    m_pending.append(bytes);
    const qsizetype excess = pendingBytes() - maximumPendingBytes;
    if (excess > 0) {
        m_pendingOffset += excess;
        m_droppedBytes += static_cast<quint64>(excess);
    }
    if (idle) {
        // Small outputs (the usual case) appear at once; the rest continues between events.
        processPending();
    } else if (!m_feedTimer.isActive()) {
        m_feedTimer.start();
    }
}

qsizetype TerminalView::pendingBytes() const
{
    return m_pending.size() - m_pendingOffset;
}

void TerminalView::processPending()
{
    QElapsedTimer elapsed;
    elapsed.start();
    qsizetype processed = 0;
    while (pendingBytes() > 0 && processed < sliceBytes) {
        const qsizetype piece = std::min(pieceBytes, pendingBytes());
        m_screen->write(m_pending.constData() + m_pendingOffset, static_cast<std::size_t>(piece));
        m_pendingOffset += piece;
        processed += piece;
        if (elapsed.elapsed() >= sliceMilliseconds) {
            break;
        }
    }
    if (pendingBytes() == 0) {
        m_pending.clear();
        m_pendingOffset = 0;
    } else {
        if (m_pendingOffset > m_pending.size() / 2) {
            m_pending.remove(0, m_pendingOffset);
            m_pendingOffset = 0;
        }
        m_feedTimer.start();
    }
    afterScreenChange();
}

void TerminalView::afterScreenChange()
{
    emitInput();

    const TerminalScrollback& scrollback = m_screen->scrollback();
    const auto dropped = static_cast<qint64>(scrollback.droppedLines() - m_seenDroppedLines);
    m_seenDroppedLines = scrollback.droppedLines();
    m_selection.shiftUp(dropped);
    const bool historyMoved = dropped > 0 || scrollback.lineCount() != m_seenScrollbackLines;
    m_seenScrollbackLines = scrollback.lineCount();
    const int oldTop = verticalScrollBar()->value();
    updateScrollBar();
    if (!m_followOutput && dropped > 0) {
        verticalScrollBar()->setValue(std::max(0, oldTop - static_cast<int>(dropped)));
    }

    const std::optional<RowSpan> damage = m_screen->takeDamage();
    if (historyMoved || verticalScrollBar()->value() != oldTop) {
        viewport()->update();
        return;
    }
    if (!damage) {
        return;
    }
    // Only the rows libvterm reported, mapped from screen rows to view rows.
    const int top = verticalScrollBar()->value();
    const int firstViewRow = scrollback.lineCount() + damage->first - top;
    const int lastViewRow = scrollback.lineCount() + damage->last - top;
    const int height = cellSize().height();
    viewport()->update(QRect(
        0, firstViewRow * height, viewport()->width(), (lastViewRow - firstViewRow) * height));
}

void TerminalView::emitInput()
{
    const QByteArray input = m_screen->takeInput();
    if (!input.isEmpty()) {
        Q_EMIT inputProduced(input);
    }
}

void TerminalView::updateScrollBar()
{
    QScrollBar* bar = verticalScrollBar();
    m_updatingScrollBar = true;
    const int lines = m_screen->scrollback().lineCount();
    bar->setRange(0, lines);
    bar->setPageStep(m_screen->rows());
    if (m_followOutput) {
        bar->setValue(lines);
    }
    m_updatingScrollBar = false;
}

void TerminalView::scrollContentsBy(int /*dx*/, int /*dy*/)
{
    if (!m_updatingScrollBar) {
        m_followOutput = verticalScrollBar()->value() == verticalScrollBar()->maximum();
    }
    viewport()->update();
}

void TerminalView::scrollToBottom()
{
    m_followOutput = true;
    verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}

QString TerminalView::screenText() const
{
    QStringList lines;
    for (int row = 0; row < m_screen->rows(); ++row) {
        lines.append(lineText(m_screen->row(row), 0, m_screen->columns()));
    }
    return lines.join(QLatin1Char('\n'));
}

TerminalCell TerminalView::cellAt(int row, int column) const
{
    return m_screen->cell(row, column).unpacked();
}

int TerminalView::rows() const
{
    return m_screen->rows();
}

int TerminalView::columns() const
{
    return m_screen->columns();
}

QPoint TerminalView::cursorPosition() const
{
    return m_screen->cursor();
}

bool TerminalView::isAlternateScreen() const
{
    return m_screen->alternateScreen();
}

int TerminalView::scrollbackLineCount() const
{
    return m_screen->scrollback().lineCount();
}

QString TerminalView::scrollbackLineText(int index) const
{
    if (index < 0 || index >= scrollbackLineCount()) {
        return {};
    }
    const std::vector<PackedCell>& cells = m_screen->scrollback().line(index);
    return lineText(cells, 0, static_cast<int>(cells.size()));
}

QString TerminalView::lineText(const std::vector<PackedCell>& cells, int first, int last) const
{
    QString text;
    const int end = std::min(last, static_cast<int>(cells.size()));
    for (int column = std::max(0, first); column < end; ++column) {
        text += cells[static_cast<std::size_t>(column)].text();
    }
    while (text.endsWith(QLatin1Char(' '))) {
        text.chop(1);
    }
    return text;
}

std::vector<PackedCell> TerminalView::historyLine(qint64 line) const
{
    const TerminalScrollback& scrollback = m_screen->scrollback();
    if (line < 0) {
        return {};
    }
    if (line < scrollback.lineCount()) {
        return scrollback.line(static_cast<int>(line));
    }
    return m_screen->row(static_cast<int>(line - scrollback.lineCount()));
}

QSize TerminalView::cellSize() const
{
    return m_painter->cellSize();
}

QSize TerminalView::sizeHint() const
{
    const QSize cell = cellSize();
    const int frame = 2 * frameWidth();
    return {defaultColumns * cell.width() + verticalScrollBar()->sizeHint().width() + frame,
        defaultRows * cell.height() + frame};
}

void TerminalView::resizeEvent(QResizeEvent* event)
{
    QAbstractScrollArea::resizeEvent(event);
    resizeGrid();
}

void TerminalView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::FontChange && m_painter) {
        m_painter->setFont(font());
        resizeGrid();
        viewport()->update();
    }
    QAbstractScrollArea::changeEvent(event);
}

void TerminalView::resizeGrid()
{
    const QSize cell = cellSize();
    const int rows =
        std::clamp(viewport()->height() / cell.height(), 1, TerminalScreen::maximumRows);
    const int columns =
        std::clamp(viewport()->width() / cell.width(), 1, TerminalScreen::maximumColumns);
    if (rows == m_screen->rows() && columns == m_screen->columns()) {
        return;
    }
    m_screen->resize(rows, columns);
    afterScreenChange();
    viewport()->update();
    Q_EMIT sizeChanged(rows, columns);
}

void TerminalView::paintEvent(QPaintEvent* event)
{
    QPainter painter(viewport());
    const QRect area = event->rect();
    painter.fillRect(area, m_scheme.background);

    const int height = cellSize().height();
    const int top = verticalScrollBar()->value();
    const int firstRow = std::max(0, area.top() / height);
    const int lastRow = std::min(m_screen->rows() - 1, area.bottom() / height);
    for (int row = firstRow; row <= lastRow; ++row) {
        const qint64 line = qint64 {top} + row;
        m_painter->paintLine(painter, historyLine(line), m_screen->columns(), row * height,
            m_selection.columnsOnLine(line, m_screen->columns()));
    }

    if (!m_screen->cursorVisible()) {
        return;
    }
    const QPoint cursor = m_screen->cursor();
    const int viewRow = m_screen->scrollback().lineCount() + cursor.y() - top;
    if (viewRow < 0 || viewRow >= m_screen->rows()) {
        return;
    }
    const bool focused = hasFocus();
    if (focused && !m_cursorShown) {
        return;
    }
    m_painter->paintCursor(
        painter, m_screen->cell(cursor.y(), cursor.x()), cursor.x(), viewRow * height, focused);
}

void TerminalView::setCursorBlinkEnabled(bool enabled)
{
    m_cursorBlinkEnabled = enabled;
    restartCursorBlink();
}

void TerminalView::restartCursorBlink()
{
    m_cursorShown = true;
    if (m_cursorBlinkEnabled && hasFocus() && m_screen->cursorBlinking()) {
        m_blinkTimer.start();
    } else {
        m_blinkTimer.stop();
    }
    updateCursorCell();
}

void TerminalView::updateCursorCell()
{
    const QPoint cursor = m_screen->cursor();
    const int viewRow =
        m_screen->scrollback().lineCount() + cursor.y() - verticalScrollBar()->value();
    const QSize cell = cellSize();
    viewport()->update(
        QRect(cursor.x() * cell.width(), viewRow * cell.height(), 2 * cell.width(), cell.height()));
}

} // namespace ui
