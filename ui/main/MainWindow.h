#pragma once

#include <QHash>
#include <QMainWindow>
#include <QPointer>

class QAction;
class QLabel;
class QProgressDialog;

namespace app {
struct AuditVerification;
struct DatasetSource;
class ManagedSession;
class SessionManager;
struct SessionRequest;
} // namespace app

namespace ui {

class AuditView;
class NewSessionDialog;
class SessionListModel;
class SessionListView;
class SessionWindow;

/// Airlock's main window: the list of sessions (state, uptime, datasets, a CPU sparkline), the
/// actions to start, open and stop them, drops of folders and files, the audit trail, and a
/// status bar saying how sessions run (this computer's KVM or the KVM lab). Quitting stops and
/// shreds every running session first, with a progress dialog and never a frozen window.
class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    /// A window over `manager`'s sessions (the manager outlives it).
    explicit MainWindow(app::SessionManager& manager, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// The session list.
    SessionListView* sessionList() const { return m_list; }
    /// The session list's model.
    SessionListModel* sessionModel() const { return m_model; }
    /// The open new-session dialog (nullptr when none is open).
    NewSessionDialog* newSessionDialog() const;
    /// The window of `session` (nullptr when it has none open).
    SessionWindow* sessionWindow(app::ManagedSession* session) const;
    /// The audit trail's window (nullptr until it was opened).
    AuditView* auditView() const;
    /// Saves geometry, toolbar state and column widths (also done on closing).
    void saveSettings() const;

public slots:
    /// Opens the new-session dialog, with `paths` as its first datasets.
    void showNewSessionDialog(const QStringList& paths = {});
    /// Opens (or raises) the window of `session`.
    void openSessionWindow(app::ManagedSession* session);
    /// Adds `paths` to `session` as datasets: the one place that handles a drop on a session.
    /// A running session gets them read-only at /datasets/<name> without a restart (inspected
    /// first: something unreadable is named and nothing is added); an ended one is offered a new
    /// session with them.
    void offerDatasetsToSession(app::ManagedSession* session, const QStringList& paths);
    /// Asks when sessions run, then stops and shreds them all and quits (Ctrl+Q).
    void requestQuit();
    /// Shows the audit trail (Ctrl+Shift+A).
    void showAuditTrail();

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildActions();
    void buildStatusBar();
    void restoreSettings();
    void updateActions();
    void updateStatus();
    app::ManagedSession* currentSession() const;
    void startSession(const app::SessionRequest& request);
    void stopCurrentSession();
    void handleDrop(const QStringList& paths, app::ManagedSession* target);
    void showDropProblem(const QString& message);
    void reportDatasetAdded(const app::DatasetSource& dataset, qint64 mountMs);
    void reportDatasetAddFailed(const QString& name, const QString& message);
    void showDatasetAddProblem(const QString& sessionName, const QString& message);
    void sessionWindowClosed(app::ManagedSession* session);
    void recordVerification(const app::AuditVerification& verification);
    void beginShutdown();
    void finishShutdown();

    app::SessionManager& m_manager;
    SessionListModel* m_model;
    SessionListView* m_list;
    QPointer<NewSessionDialog> m_newSession;
    QHash<app::ManagedSession*, QPointer<SessionWindow>> m_windows;
    QAction* m_newAction = nullptr;
    QAction* m_openAction = nullptr;
    QAction* m_stopAction = nullptr;
    QAction* m_auditAction = nullptr;
    QAction* m_quitAction = nullptr;
    QLabel* m_engineStatus = nullptr;
    QLabel* m_runningStatus = nullptr;
    QLabel* m_auditStatus = nullptr;
    QPointer<QProgressDialog> m_shutdownProgress;
    QPointer<AuditView> m_auditView;
    QString m_chainVerdict;
    int m_nextSessionNumber = 1;
    bool m_shuttingDown = false;
    bool m_readyToQuit = false;
};

} // namespace ui
