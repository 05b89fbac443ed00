#pragma once

#include "DisplayConnection.h"
#include "DisplayView.h"
#include "EngineState.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QVBoxLayout;

namespace app {
class EngineSession;
} // namespace app

namespace ui {

/// The session's screen in its window: a DisplayView of a VNC stream relayed over the engine's
/// control channel (so it works the same through the KVM lab), connected the first time the tab
/// is shown while the session runs; a line for other viewers when the user allowed them; and a
/// Reconnect button when the stream ended while the session still runs.
class SessionDisplayTab : public QWidget {
    Q_OBJECT

public:
    /// A tab for `engine` (which outlives it).
    explicit SessionDisplayTab(app::EngineSession& engine, QWidget* parent = nullptr);
    ~SessionDisplayTab() override;

    /// The view; null until the first connection starts.
    DisplayView* view() const { return m_view; }
    /// The connection; null until it starts.
    app::DisplayConnection* connection() const { return m_connection; }
    /// What the tab says above the screen.
    QString statusText() const;
    /// What it says about other VNC viewers ("" when they are off).
    QString externalViewersText() const;

public slots:
    /// Connects now when the session runs (again, after a failure); else when it starts running.
    void connectToScreen();

protected:
    void showEvent(QShowEvent* event) override;

private:
    void onStateChanged(app::EngineState state);
    void setStatus(const QString& text, bool offerReconnect);
    void updateExternalViewers();

    app::EngineSession& m_engine;
    QVBoxLayout* m_layout = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_reconnect = nullptr;
    QLabel* m_externalViewers = nullptr;
    QPointer<app::DisplayConnection> m_connection;
    QPointer<DisplayView> m_view;
    bool m_wanted = false; ///< the tab was shown: connect as soon as the session runs
};

} // namespace ui
