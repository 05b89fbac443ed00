// TerminalView: keyboard, input methods, mouse, wheel and clipboard. Output and painting are in
// TerminalView.cpp.
#include "TerminalKeyboard.h"
#include "TerminalScreen.h"
#include "TerminalView.h"

#include <algorithm>
#include <cstdlib>

#include <QApplication>
#include <QClipboard>
#include <QKeyEvent>
#include <QScrollBar>

namespace ui {

namespace {

constexpr Qt::KeyboardModifiers chordModifiers =
    Qt::ControlModifier | Qt::ShiftModifier | Qt::AltModifier | Qt::MetaModifier;

VTermModifier mouseModifiers(Qt::KeyboardModifiers modifiers)
{
    int result = VTERM_MOD_NONE;
    if (modifiers & Qt::ShiftModifier) {
        result |= VTERM_MOD_SHIFT;
    }
    if (modifiers & Qt::AltModifier) {
        result |= VTERM_MOD_ALT;
    }
    if (modifiers & Qt::ControlModifier) {
        result |= VTERM_MOD_CTRL;
    }
    return static_cast<VTermModifier>(result);
}

int vtermButton(Qt::MouseButton button)
{
    switch (button) {
    case Qt::LeftButton:
        return 1;
    case Qt::MiddleButton:
        return 2;
    case Qt::RightButton:
        return 3;
    default:
        return 0;
    }
}

} // namespace

bool TerminalView::event(QEvent* event)
{
    // Keys belong to the guest, not to window shortcuts, except Ctrl+Shift chords (Konsole's
    // convention for the application's own shortcuts, and our copy and paste).
    if (event->type() == QEvent::ShortcutOverride) {
        auto* key = static_cast<QKeyEvent*>(event);
        const Qt::KeyboardModifiers modifiers = key->modifiers() & chordModifiers;
        const bool applicationChord = modifiers == (Qt::ControlModifier | Qt::ShiftModifier) ||
            (modifiers & Qt::MetaModifier);
        if (!applicationChord) {
            key->accept();
            return true;
        }
    }
    return QAbstractScrollArea::event(event);
}

bool TerminalView::focusNextPrevChild(bool /*next*/)
{
    // Tab and Shift+Tab go to the guest (completion), not to the next widget.
    return false;
}

void TerminalView::keyPressEvent(QKeyEvent* event)
{
    const Qt::KeyboardModifiers modifiers = event->modifiers() & chordModifiers;
    if (modifiers == (Qt::ControlModifier | Qt::ShiftModifier)) {
        if (event->key() == Qt::Key_C) {
            copySelection();
            return;
        }
        if (event->key() == Qt::Key_V) {
            paste();
            return;
        }
    }
    if (modifiers == Qt::ShiftModifier) {
        QScrollBar* bar = verticalScrollBar();
        switch (event->key()) {
        case Qt::Key_PageUp:
            bar->triggerAction(QAbstractSlider::SliderPageStepSub);
            return;
        case Qt::Key_PageDown:
            bar->triggerAction(QAbstractSlider::SliderPageStepAdd);
            return;
        case Qt::Key_Home:
            bar->triggerAction(QAbstractSlider::SliderToMinimum);
            return;
        case Qt::Key_End:
            bar->triggerAction(QAbstractSlider::SliderToMaximum);
            return;
        default:
            break;
        }
    }
    if (!TerminalKeyboard::sendKey(*m_screen, *event)) {
        event->ignore();
        return;
    }
    event->accept();
    scrollToBottom();
    restartCursorBlink();
    emitInput();
}

void TerminalView::inputMethodEvent(QInputMethodEvent* event)
{
    if (!event->commitString().isEmpty()) {
        TerminalKeyboard::sendText(*m_screen, event->commitString());
        scrollToBottom();
        emitInput();
    }
    event->accept();
}

void TerminalView::wheelEvent(QWheelEvent* event)
{
    const int notches = event->angleDelta().y() / QWheelEvent::DefaultDeltasPerStep;
    if (notches != 0 && m_screen->mouseMode() != 0 && !(event->modifiers() & Qt::ShiftModifier)) {
        // The guest asked for mouse reports: buttons 4 and 5 are the wheel.
        const TerminalPosition position = positionAt(event->position().toPoint());
        const int row =
            std::clamp(static_cast<int>(position.line - scrollbackLineCount()), 0, rows() - 1);
        const VTermModifier modifiers = mouseModifiers(event->modifiers());
        vterm_mouse_move(m_screen->handle(), row, position.column, modifiers);
        for (int step = 0; step < std::abs(notches); ++step) {
            vterm_mouse_button(m_screen->handle(), notches > 0 ? 4 : 5, true, modifiers);
        }
        emitInput();
        event->accept();
        return;
    }
    if (notches != 0 && m_screen->alternateScreen()) {
        // Full-screen programs (less, man, vim) have no scrollback: scroll them with arrow
        // keys, as Konsole does.
        const VTermKey key = notches > 0 ? VTERM_KEY_UP : VTERM_KEY_DOWN;
        for (int step = 0; step < 3 * std::abs(notches); ++step) {
            vterm_keyboard_key(m_screen->handle(), key, VTERM_MOD_NONE);
        }
        emitInput();
        event->accept();
        return;
    }
    QAbstractScrollArea::wheelEvent(event);
}

TerminalPosition TerminalView::positionAt(QPoint point) const
{
    const QSize cell = cellSize();
    const int row = std::clamp(point.y() / cell.height(), 0, rows() - 1);
    // Round to the nearest cell boundary, so a drag selects the characters it passes over.
    const int column = std::clamp((point.x() + cell.width() / 2) / cell.width(), 0, columns());
    return {qint64 {verticalScrollBar()->value()} + row, column};
}

bool TerminalView::forwardMouse(QMouseEvent* event, bool pressed)
{
    // Shift bypasses the guest's mouse mode so the user can still select, as in xterm.
    if (m_screen->mouseMode() == 0 || (event->modifiers() & Qt::ShiftModifier)) {
        return false;
    }
    const int button = vtermButton(event->button());
    if (button == 0) {
        return false;
    }
    const QSize cell = cellSize();
    const QPoint point = event->position().toPoint();
    const VTermModifier modifiers = mouseModifiers(event->modifiers());
    vterm_mouse_move(m_screen->handle(), std::clamp(point.y() / cell.height(), 0, rows() - 1),
        std::clamp(point.x() / cell.width(), 0, columns() - 1), modifiers);
    vterm_mouse_button(m_screen->handle(), button, pressed, modifiers);
    emitInput();
    return true;
}

void TerminalView::mousePressEvent(QMouseEvent* event)
{
    if (forwardMouse(event, true)) {
        return;
    }
    if (event->button() == Qt::LeftButton) {
        m_selection.start(positionAt(event->position().toPoint()));
        m_selecting = true;
        viewport()->update();
        return;
    }
    if (event->button() == Qt::MiddleButton) {
        pasteSelection();
        return;
    }
    QAbstractScrollArea::mousePressEvent(event);
}

void TerminalView::mouseMoveEvent(QMouseEvent* event)
{
    if (m_selecting && (event->buttons() & Qt::LeftButton)) {
        m_selection.extend(positionAt(event->position().toPoint()));
        viewport()->update();
        return;
    }
    QAbstractScrollArea::mouseMoveEvent(event);
}

void TerminalView::mouseReleaseEvent(QMouseEvent* event)
{
    if (forwardMouse(event, false)) {
        return;
    }
    if (event->button() == Qt::LeftButton && m_selecting) {
        m_selecting = false;
        m_selection.extend(positionAt(event->position().toPoint()));
        QClipboard* clipboard = QApplication::clipboard();
        if (!m_selection.isEmpty() && clipboard->supportsSelection()) {
            clipboard->setText(selectedText(), QClipboard::Selection);
        }
        viewport()->update();
        return;
    }
    QAbstractScrollArea::mouseReleaseEvent(event);
}

void TerminalView::focusInEvent(QFocusEvent* event)
{
    QAbstractScrollArea::focusInEvent(event);
    restartCursorBlink();
}

void TerminalView::focusOutEvent(QFocusEvent* event)
{
    QAbstractScrollArea::focusOutEvent(event);
    restartCursorBlink();
}

QString TerminalView::selectedText() const
{
    if (m_selection.isEmpty()) {
        return {};
    }
    QStringList lines;
    for (qint64 line = m_selection.begin().line; line <= m_selection.end().line; ++line) {
        const std::vector<PackedCell> cells = historyLine(line);
        const int width = std::max(columns(), static_cast<int>(cells.size()));
        if (const std::optional<ColumnSpan> span = m_selection.columnsOnLine(line, width)) {
            lines.append(lineText(cells, span->first, span->last));
        } else {
            lines.append(QString());
        }
    }
    return lines.join(QLatin1Char('\n'));
}

void TerminalView::copySelection()
{
    const QString text = selectedText();
    if (!text.isEmpty()) {
        QApplication::clipboard()->setText(text, QClipboard::Clipboard);
    }
}

void TerminalView::paste()
{
    const QString text = QApplication::clipboard()->text(QClipboard::Clipboard);
    if (text.isEmpty()) {
        return;
    }
    TerminalKeyboard::sendPaste(*m_screen, text);
    scrollToBottom();
    emitInput();
}

void TerminalView::pasteSelection()
{
    QClipboard* clipboard = QApplication::clipboard();
    const QClipboard::Mode mode =
        clipboard->supportsSelection() ? QClipboard::Selection : QClipboard::Clipboard;
    const QString text = clipboard->text(mode);
    if (text.isEmpty()) {
        return;
    }
    TerminalKeyboard::sendPaste(*m_screen, text);
    scrollToBottom();
    emitInput();
}

} // namespace ui
