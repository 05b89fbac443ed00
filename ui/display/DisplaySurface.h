#pragma once

#include <optional>

#include <QHash>
#include <QPointer>
#include <QWidget>

namespace app {
class DisplayConnection;
}

namespace ui {

/// Draws a DisplayConnection's frame scaled to fit (letterboxed) and, only while the user has
/// taken control, sends keyboard and pointer input to the guest. View only by default.
class DisplaySurface : public QWidget {
    Q_OBJECT

public:
    /// A surface showing `connection` (not owned; it must outlive the surface or be deleted
    /// first, which the surface notices).
    explicit DisplaySurface(app::DisplayConnection* connection, QWidget* parent = nullptr);

    /// Whether keyboard and pointer input go to the guest.
    bool isInControl() const { return m_inControl; }
    /// Takes or leaves control; leaving releases every key the guest still sees held.
    void setInControl(bool inControl);
    /// The status shown instead of the frame (empty once connected).
    QString statusText() const { return m_status; }
    /// Where the frame is drawn, in widget coordinates (empty without a frame).
    QRectF imageRect() const;
    /// The frame pixel under `position`, or nothing outside the drawn frame.
    std::optional<QPoint> framePosition(QPointF position) const;

signals:
    /// Control was taken or left (by setInControl() or the Ctrl+Alt release).
    void controlChanged(bool inControl);

protected:
    void paintEvent(QPaintEvent* event) override;
    bool event(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;

private:
    void handleKey(QKeyEvent* event, bool down);
    void sendPointer(QPointF position, quint32 buttons);
    void releaseAllKeys();
    void drawBadge(QPainter& painter, const QString& text, Qt::Alignment alignment);

    QPointer<app::DisplayConnection> m_connection;
    QString m_status;
    bool m_inControl = false;
    QHash<quint32, quint32> m_pressedKeys; ///< scan code (or Qt key) -> keysym sent down
    bool m_controlHeld = false;
    bool m_altHeld = false;
    bool m_releaseArmed = false; ///< Ctrl and Alt went down with nothing else: release on up
    quint32 m_buttons = 0;
    QPoint m_lastPosition; ///< the last frame position sent, for a release without a move
};

} // namespace ui
