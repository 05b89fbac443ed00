#pragma once

#include "EngineState.h"

#include <memory>

#include <QJsonObject>
#include <QMainWindow>
#include <QPointer>

class QAction;
class QLabel;
class QTabWidget;

namespace app {
class ManagedSession;
}

namespace ui {

class CloseQuestion;
class DatasetListWidget;
class ManagedOutboxSource;
class OutboxPanel;
class SessionDisplayTab;
class SessionHeader;
class SessionLiveView;

/// One session's window: a header (state, uptime, lifetime left, purpose), the console beside
/// the live graphs, the screen, the datasets with their digests, and the outbox; the session's
/// main view (console or screen) is the first tab. Closing it (Ctrl+W) asks
/// about unexported outbox files, then stops the VM and shreds it, and shows the shred report.
class SessionWindow : public QMainWindow {
    Q_OBJECT

public:
    /// A window for `session` (which outlives it).
    explicit SessionWindow(app::ManagedSession& session, QWidget* parent = nullptr);
    ~SessionWindow() override;

    /// The session shown.
    app::ManagedSession& session() const { return m_session; }
    /// The console and graphs.
    SessionLiveView* liveView() const { return m_liveView; }
    /// The header.
    SessionHeader* header() const { return m_header; }
    /// The outbox tab.
    OutboxPanel* outboxPanel() const { return m_outbox; }
    /// The screen tab.
    SessionDisplayTab* displayTab() const { return m_display; }
    /// Brings the Display tab to the front (connecting to the screen if need be).
    void showDisplay();
    /// Brings the Outbox tab to the front.
    void showOutbox();

public slots:
    /// Checks the outbox, asks, then stops and shreds (Ctrl+W; the window's close button).
    void requestStopAndShred();
    /// Asks, then stops the VM at once without the guest's clean shutdown, and shreds.
    void requestForceStop();
    /// Pauses a running session, resumes a paused one.
    void togglePause();

signals:
    /// Folders or files were dropped on the window of this running session.
    void datasetsDropped(app::ManagedSession* session, const QStringList& paths);
    /// The window of an ended session was closed (the session may be forgotten now).
    void closedAfterEnd(app::ManagedSession* session);

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildActions();
    QWidget* buildCentre();
    void updateActions(app::EngineState state);
    void askAboutOutbox(const QString& listingProblem);
    void answer(CloseQuestion* question);
    void showShredReport(const QJsonObject& report);
    void showProblem(const QString& message);

    app::ManagedSession& m_session;
    SessionHeader* m_header = nullptr;
    SessionLiveView* m_liveView = nullptr;
    SessionDisplayTab* m_display = nullptr;
    DatasetListWidget* m_datasets = nullptr;
    QTabWidget* m_tabs = nullptr;
    std::unique_ptr<ManagedOutboxSource> m_outboxSource;
    OutboxPanel* m_outbox = nullptr;
    QAction* m_pauseAction = nullptr;
    QAction* m_stopAction = nullptr;
    QAction* m_forceStopAction = nullptr;
    QPointer<CloseQuestion> m_question;
    bool m_checkingOutbox = false;
};

} // namespace ui
