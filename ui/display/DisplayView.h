#pragma once

#include <QPointer>
#include <QWidget>

class QAction;
class QLabel;
class QToolBar;
class QVBoxLayout;

namespace app {
class DisplayConnection;
}

namespace ui {

class DisplaySurface;

/// A session's screen: a small toolbar (Take control, Full screen) over a DisplaySurface.
/// View only until the user takes control; full screen moves the surface into a window of its
/// own and back. Nothing here writes the screen anywhere (no PHI leaves except via the outbox).
class DisplayView : public QWidget {
    Q_OBJECT

public:
    /// A view of `connection` (not owned).
    explicit DisplayView(app::DisplayConnection* connection, QWidget* parent = nullptr);
    ~DisplayView() override;

    /// The checkable "Take control" action (keyboard and pointer go to the guest).
    QAction* takeControlAction() const { return m_takeControlAction; }
    /// The checkable "Full screen" action (F11 while not in control).
    QAction* fullScreenAction() const { return m_fullScreenAction; }
    /// The widget that draws the frame and takes input.
    DisplaySurface* surface() const { return m_surface; }

    /// Whether input goes to the guest.
    bool isInControl() const;
    /// Takes or leaves control.
    void setInControl(bool inControl);
    /// Whether the surface is shown full screen.
    bool isFullScreenShown() const { return m_fullScreenWindow != nullptr; }
    /// Shows the surface full screen, or puts it back into this view.
    void setFullScreenShown(bool fullScreen);

signals:
    /// Control was taken or left.
    void controlChanged(bool inControl);
    /// Full screen was entered or left.
    void fullScreenChanged(bool fullScreen);

private:
    DisplaySurface* m_surface = nullptr;
    QVBoxLayout* m_layout = nullptr;
    QToolBar* m_toolBar = nullptr;
    QLabel* m_placeholder = nullptr; ///< shown here while the surface is full screen
    QAction* m_takeControlAction = nullptr;
    QAction* m_fullScreenAction = nullptr;
    QAction* m_leaveFullScreenAction = nullptr; ///< Escape, while not in control
    QPointer<QWidget> m_fullScreenWindow;
};

} // namespace ui
