// DisplaySurface's input: nothing reaches the guest unless the user took control; then every key
// (Tab and shortcuts included, where Qt lets us) goes to the guest until Ctrl+Alt releases it.

#include "DisplayConnection.h"
#include "DisplaySurface.h"
#include "KeysymFromQt.h"

#include <QKeyEvent>

namespace ui {

namespace {

/// RFB pointer button mask bits (RFC 6143 §7.5.5): left, middle, right, wheel up/down/left/right.
constexpr quint32 leftButton = 1;
constexpr quint32 middleButton = 2;
constexpr quint32 rightButton = 4;
constexpr quint32 wheelUp = 8;
constexpr quint32 wheelDown = 16;
constexpr quint32 wheelLeft = 32;
constexpr quint32 wheelRight = 64;

quint32 buttonMask(Qt::MouseButtons buttons)
{
    quint32 mask = 0;
    if (buttons & Qt::LeftButton)
        mask |= leftButton;
    if (buttons & Qt::MiddleButton)
        mask |= middleButton;
    if (buttons & Qt::RightButton)
        mask |= rightButton;
    return mask;
}

bool isControl(int key)
{
    return key == Qt::Key_Control;
}
bool isAlt(int key)
{
    return key == Qt::Key_Alt || key == Qt::Key_AltGr;
}

} // namespace

bool DisplaySurface::event(QEvent* event)
{
    switch (event->type()) {
    case QEvent::ShortcutOverride:
        // In control, the guest gets the keys the app's shortcuts would take.
        if (m_inControl) {
            event->accept();
            return true;
        }
        break;
    case QEvent::KeyPress:
    case QEvent::KeyRelease:
        // Before QWidget::event turns Tab into focus navigation.
        if (m_inControl) {
            handleKey(static_cast<QKeyEvent*>(event), event->type() == QEvent::KeyPress);
            return true;
        }
        break;
    case QEvent::FocusIn:
    case QEvent::WindowDeactivate:
        releaseAllKeys(); // the guest must not keep keys held whose release it will never see
        update();
        break;
    default:
        break;
    }
    return QWidget::event(event);
}

void DisplaySurface::keyPressEvent(QKeyEvent* event)
{
    if (!m_inControl) {
        QWidget::keyPressEvent(event);
        return;
    }
    handleKey(event, true);
}

void DisplaySurface::keyReleaseEvent(QKeyEvent* event)
{
    if (!m_inControl) {
        QWidget::keyReleaseEvent(event);
        return;
    }
    handleKey(event, false);
}

void DisplaySurface::handleKey(QKeyEvent* event, bool down)
{
    event->accept();
    const int key = event->key();
    const quint32 id = event->nativeScanCode() != 0 ? event->nativeScanCode() : quint32(key);
    if (down) {
        if (isControl(key))
            m_controlHeld = true;
        if (isAlt(key))
            m_altHeld = true;
        m_releaseArmed = (isControl(key) || isAlt(key)) ? m_controlHeld && m_altHeld : false;
        const quint32 keysym = keysymFromQt(*event);
        if (keysym == 0 || !m_connection)
            return;
        m_pressedKeys.insert(id, keysym);
        m_connection->sendKey(keysym, true); // auto-repeat: repeated downs, as X does
        return;
    }
    if (event->isAutoRepeat())
        return;
    const quint32 keysym = m_pressedKeys.take(id);
    if (keysym != 0 && m_connection)
        m_connection->sendKey(keysym, false);
    if (isControl(key) || isAlt(key)) {
        const bool release = m_releaseArmed;
        if (isControl(key))
            m_controlHeld = false;
        else
            m_altHeld = false;
        m_releaseArmed = false;
        if (release)
            setInControl(false);
    }
}

void DisplaySurface::releaseAllKeys()
{
    if (m_connection)
        for (const quint32 keysym : std::as_const(m_pressedKeys))
            m_connection->sendKey(keysym, false);
    m_pressedKeys.clear();
    m_controlHeld = m_altHeld = m_releaseArmed = false;
}

void DisplaySurface::focusOutEvent(QFocusEvent* event)
{
    releaseAllKeys();
    update();
    QWidget::focusOutEvent(event);
}

void DisplaySurface::sendPointer(QPointF position, quint32 buttons)
{
    buttons &= leftButton | middleButton | rightButton;
    const std::optional<QPoint> framePoint = framePosition(position);
    if (!framePoint) {
        // Outside the drawn frame (the letterbox) moves and presses are ignored; a release of a
        // button pressed inside still goes out, so the guest never keeps a button held.
        const quint32 kept = buttons & m_buttons;
        if (kept == m_buttons)
            return;
        buttons = kept;
    } else {
        m_lastPosition = *framePoint;
    }
    m_buttons = buttons;
    m_connection->sendPointer(m_lastPosition, buttons);
}

void DisplaySurface::mousePressEvent(QMouseEvent* event)
{
    if (!m_inControl || !m_connection) {
        QWidget::mousePressEvent(event);
        return;
    }
    setFocus(Qt::MouseFocusReason);
    sendPointer(event->position(), buttonMask(event->buttons()));
    event->accept();
}

void DisplaySurface::mouseReleaseEvent(QMouseEvent* event)
{
    if (!m_inControl || !m_connection) {
        QWidget::mouseReleaseEvent(event);
        return;
    }
    sendPointer(event->position(), buttonMask(event->buttons()));
    event->accept();
}

void DisplaySurface::mouseMoveEvent(QMouseEvent* event)
{
    if (!m_inControl || !m_connection) {
        QWidget::mouseMoveEvent(event);
        return;
    }
    sendPointer(event->position(), buttonMask(event->buttons()));
    event->accept();
}

void DisplaySurface::wheelEvent(QWheelEvent* event)
{
    if (!m_inControl || !m_connection) {
        QWidget::wheelEvent(event);
        return;
    }
    // One press and release of a wheel "button" per notch (RFB has no scroll deltas).
    const QPoint delta = event->angleDelta();
    quint32 wheel = 0;
    if (delta.y() != 0)
        wheel = delta.y() > 0 ? wheelUp : wheelDown;
    else if (delta.x() != 0)
        wheel = delta.x() > 0 ? wheelLeft : wheelRight;
    const std::optional<QPoint> framePoint = framePosition(event->position());
    if (wheel != 0 && framePoint) {
        m_lastPosition = *framePoint;
        m_connection->sendPointer(m_lastPosition, m_buttons | wheel);
        m_connection->sendPointer(m_lastPosition, m_buttons);
    }
    event->accept();
}

} // namespace ui
