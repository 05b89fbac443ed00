#include "DisplaySurface.h"

#include "DisplayConnection.h"

#include <QPaintEvent>
#include <QPainter>
#include <QPainterPath>

namespace ui {

DisplaySurface::DisplaySurface(app::DisplayConnection* connection, QWidget* parent)
    : QWidget(parent)
    , m_connection(connection)
    , m_status(tr("Connecting to the session's display…"))
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(160, 100);
    if (connection == nullptr)
        return;
    if (!connection->frameSize().isEmpty())
        m_status.clear();
    connect(connection, &app::DisplayConnection::connected, this, [this] {
        m_status.clear();
        update();
    });
    connect(connection, &app::DisplayConnection::frameUpdated, this, [this](QRect region) {
        const QRectF image = imageRect();
        const QSize frame = m_connection->frameSize();
        if (frame.isEmpty() || image.isEmpty())
            return;
        // Repaint just the scaled region (a pixel of margin for smooth scaling's blur).
        const qreal scale = image.width() / frame.width();
        const QRectF scaled(image.left() + region.left() * scale,
            image.top() + region.top() * scale, region.width() * scale, region.height() * scale);
        update(scaled.toAlignedRect().adjusted(-2, -2, 2, 2));
    });
    connect(connection, &app::DisplayConnection::failed, this, [this](const QString& message) {
        setInControl(false);
        m_status = message;
        update();
    });
    connect(connection, &app::DisplayConnection::disconnected, this, [this] {
        setInControl(false);
        m_status = tr("The session's display is closed. Reopen it from the session window to "
                      "see the session's screen again.");
        update();
    });
}

QRectF DisplaySurface::imageRect() const
{
    const QSize frame = m_connection ? m_connection->frameSize() : QSize();
    if (frame.isEmpty() || !m_status.isEmpty())
        return {};
    QSizeF scaled = QSizeF(frame).scaled(QSizeF(size()), Qt::KeepAspectRatio);
    return QRectF(
        QPointF((width() - scaled.width()) / 2, (height() - scaled.height()) / 2), scaled);
}

std::optional<QPoint> DisplaySurface::framePosition(QPointF position) const
{
    const QRectF image = imageRect();
    if (image.isEmpty() || !image.contains(position))
        return std::nullopt;
    const QSize frame = m_connection->frameSize();
    const auto x = static_cast<int>((position.x() - image.left()) * frame.width() / image.width());
    const auto y = static_cast<int>((position.y() - image.top()) * frame.height() / image.height());
    return QPoint(std::clamp(x, 0, frame.width() - 1), std::clamp(y, 0, frame.height() - 1));
}

void DisplaySurface::setInControl(bool inControl)
{
    if (inControl && (!m_connection || !m_status.isEmpty()))
        inControl = false; // nothing to control yet
    if (inControl == m_inControl)
        return;
    if (!inControl) {
        releaseAllKeys();
        if (m_buttons != 0 && m_connection)
            m_connection->sendPointer(m_lastPosition, 0); // no button stays held in the guest
        m_buttons = 0;
        releaseKeyboard();
    }
    m_inControl = inControl;
    m_controlHeld = m_altHeld = m_releaseArmed = false;
    if (inControl) {
        setFocus(Qt::OtherFocusReason);
        grabKeyboard();
    }
    update();
    emit controlChanged(m_inControl);
}

void DisplaySurface::paintEvent(QPaintEvent* event)
{
    QPainter painter(this);
    // The letterbox is a dark grey, so that a black guest screen shows where it ends.
    painter.fillRect(event->rect(), QColor(0x30, 0x30, 0x30));
    const QRectF image = imageRect();
    if (image.isEmpty()) {
        painter.setPen(QColor(0xe0, 0xe0, 0xe0));
        painter.drawText(
            rect().adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap, m_status);
        return;
    }
    const QImage frame = m_connection->frame(); // a shared copy, dropped after this paint
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(image, frame);
    if (!m_inControl)
        drawBadge(painter, tr("View only"), Qt::AlignTop | Qt::AlignLeft);
    else if (hasFocus())
        drawBadge(
            painter, tr("Press Ctrl+Alt to release the keyboard"), Qt::AlignTop | Qt::AlignHCenter);
}

void DisplaySurface::drawBadge(QPainter& painter, const QString& text, Qt::Alignment alignment)
{
    const QFontMetrics metrics(font());
    const QSize textSize = metrics.size(Qt::TextSingleLine, text) + QSize(16, 8);
    QRect badge(QPoint(8, 8), textSize);
    if (alignment & Qt::AlignHCenter)
        badge.moveLeft((width() - textSize.width()) / 2);
    painter.setRenderHint(QPainter::Antialiasing);
    QPainterPath path;
    path.addRoundedRect(badge, 4, 4);
    painter.fillPath(path, QColor(0, 0, 0, 170));
    painter.setPen(Qt::white);
    painter.drawText(badge, Qt::AlignCenter, text);
}

} // namespace ui
