#include "MainWindow.h"

#include "CpuSparklineDelegate.h"
#include "DropParser.h"
#include "ManagedSession.h"
#include "SessionListModel.h"
#include "SessionListView.h"
#include "SessionManager.h"
#include "SessionWindow.h"
#include "audit/AuditStore.h"

#include <QAction>
#include <QCloseEvent>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QToolBar>

namespace ui {

namespace {
const QString kGeometryKey = QStringLiteral("MainWindow/geometry");
const QString kStateKey = QStringLiteral("MainWindow/state");
const QString kColumnsKey = QStringLiteral("MainWindow/sessionColumns"); // two-line rows
} // namespace

MainWindow::MainWindow(app::SessionManager& manager, QWidget* parent)
    : QMainWindow(parent)
    , m_manager(manager)
    , m_model(new SessionListModel(manager, this))
    , m_list(new SessionListView(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Airlock"));
    setAcceptDrops(true);
    m_list->setModel(m_model);
    m_list->setItemDelegateForColumn(SessionListModel::CpuColumn, new CpuSparklineDelegate(m_list));
    setCentralWidget(m_list);
    m_nextSessionNumber = static_cast<int>(manager.sessions().size()) + 1;

    buildActions();
    buildStatusBar();
    restoreSettings();

    connect(m_list, &QAbstractItemView::activated, this,
        [this](const QModelIndex& index) { openSessionWindow(m_model->sessionAt(index.row())); });
    connect(m_list, &SessionListView::openRequested, this,
        [this](const QModelIndex& index) { openSessionWindow(m_model->sessionAt(index.row())); });
    connect(m_list, &SessionListView::pathsDropped, this,
        [this](const QStringList& paths, const QModelIndex& row) {
            handleDrop(paths, row.isValid() ? m_model->sessionAt(row.row()) : nullptr);
        });
    connect(m_list, &SessionListView::dropRefused, this, &MainWindow::showDropProblem);
    connect(m_list->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &MainWindow::updateActions);
    connect(m_model, &SessionListModel::activityChanged, this, [this] {
        updateActions();
        updateStatus();
    });
    connect(&manager, &app::SessionManager::sessionAdded, this, [this] { ++m_nextSessionNumber; });
    connect(
        &manager, &app::SessionManager::sessionRemoved, this, [this](app::ManagedSession* session) {
            if (QPointer<SessionWindow> window = m_windows.take(session))
                delete window.data();
        });
    connect(&manager, &app::SessionManager::auditAppended, this, &MainWindow::updateStatus);
    updateActions();
    updateStatus();
}

MainWindow::~MainWindow()
{
    // Session windows go first, while the sessions they show are certainly alive.
    for (const QPointer<SessionWindow>& window : std::as_const(m_windows))
        delete window.data();
}

void MainWindow::buildActions()
{
    m_newAction =
        new QAction(QIcon::fromTheme(QStringLiteral("document-new")), tr("&New session…"), this);
    m_newAction->setObjectName(QStringLiteral("newSessionAction"));
    m_newAction->setShortcut(QKeySequence::New);
    m_newAction->setToolTip(tr("Start a session with a purpose of use and datasets (Ctrl+N)"));
    connect(m_newAction, &QAction::triggered, this, [this] { showNewSessionDialog(); });

    m_openAction = new QAction(
        QIcon::fromTheme(QStringLiteral("window-new")), tr("&Open session window"), this);
    m_openAction->setObjectName(QStringLiteral("openSessionAction"));
    m_openAction->setShortcut(QKeySequence(tr("Ctrl+O")));
    connect(
        m_openAction, &QAction::triggered, this, [this] { openSessionWindow(currentSession()); });

    m_stopAction =
        new QAction(QIcon::fromTheme(QStringLiteral("process-stop")), tr("&Stop session…"), this);
    m_stopAction->setObjectName(QStringLiteral("stopSessionAction"));
    m_stopAction->setShortcut(QKeySequence(tr("Ctrl+Shift+S")));
    m_stopAction->setToolTip(tr("Stop the selected session and shred everything it holds"));
    connect(m_stopAction, &QAction::triggered, this, &MainWindow::stopCurrentSession);

    m_auditAction =
        new QAction(QIcon::fromTheme(QStringLiteral("view-history")), tr("&Audit trail"), this);
    m_auditAction->setObjectName(QStringLiteral("auditTrailAction"));
    m_auditAction->setShortcut(QKeySequence(tr("Ctrl+Shift+A")));
    connect(m_auditAction, &QAction::triggered, this, &MainWindow::showAuditTrail);

    m_quitAction =
        new QAction(QIcon::fromTheme(QStringLiteral("application-exit")), tr("&Quit"), this);
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    // Spelled out: QKeySequence::Quit is empty on some platforms.
    m_quitAction->setShortcut(QKeySequence(tr("Ctrl+Q")));
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &MainWindow::requestQuit);

    QMenu* sessionMenu = menuBar()->addMenu(tr("&Session"));
    sessionMenu->addAction(m_newAction);
    sessionMenu->addAction(m_openAction);
    sessionMenu->addAction(m_stopAction);
    sessionMenu->addSeparator();
    sessionMenu->addAction(m_quitAction);
    QMenu* auditMenu = menuBar()->addMenu(tr("&Audit"));
    auditMenu->addAction(m_auditAction);

    QToolBar* toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addAction(m_newAction);
    toolBar->addAction(m_openAction);
    toolBar->addAction(m_stopAction);
    toolBar->addSeparator();
    toolBar->addAction(m_auditAction);
}

void MainWindow::buildStatusBar()
{
    m_engineStatus = new QLabel(this);
    m_engineStatus->setObjectName(QStringLiteral("engineStatus"));
    m_runningStatus = new QLabel(this);
    m_runningStatus->setObjectName(QStringLiteral("runningStatus"));
    m_auditStatus = new QLabel(this);
    m_auditStatus->setObjectName(QStringLiteral("auditStatus"));
    statusBar()->addWidget(m_engineStatus, 1);
    statusBar()->addPermanentWidget(m_runningStatus);
    statusBar()->addPermanentWidget(m_auditStatus);
}

void MainWindow::updateStatus()
{
    const app::EngineLocation& location = m_manager.engineLocation();
    m_engineStatus->setText(location.statusMessage);
    m_engineStatus->setToolTip(location.vmmPath.isEmpty() ? tr("airlock-vmm was not found")
                                                          : tr("Engine: %1").arg(location.vmmPath));
    int active = m_model->activeCount();
    m_runningStatus->setText(
        active == 0 ? tr("No sessions running") : tr("%n session(s) running", nullptr, active));
    app::AuditStore& audit = m_manager.audit();
    app::Result<app::AuditChainHead> head = audit.head();
    QString events = head ? tr("Audit trail: %n event(s)", nullptr, static_cast<int>(head->lastId))
                          : tr("Audit trail: cannot be read");
    m_auditStatus->setText(
        m_chainVerdict.isEmpty() ? events : tr("%1, %2").arg(events, m_chainVerdict));
    m_auditStatus->setToolTip(
        head ? tr("Recording to %1").arg(audit.path()) : head.error().message);
}

void MainWindow::updateActions()
{
    app::ManagedSession* session = currentSession();
    m_openAction->setEnabled(session != nullptr);
    m_stopAction->setEnabled(session && !app::isFinalState(session->engine().state()));
    m_newAction->setEnabled(!m_shuttingDown);
}

app::ManagedSession* MainWindow::currentSession() const
{
    QModelIndex current = m_list->currentIndex();
    return current.isValid() ? m_model->sessionAt(current.row()) : nullptr;
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray()))
        resize(960, 540);
    restoreState(settings.value(kStateKey).toByteArray());
    m_list->header()->restoreState(settings.value(kColumnsKey).toByteArray());
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    settings.setValue(kColumnsKey, m_list->header()->saveState());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_readyToQuit || m_model->activeCount() == 0) {
        saveSettings();
        event->accept();
        return;
    }
    // Sessions still run: they are stopped and shredded first, without freezing the window.
    event->ignore();
    requestQuit();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (app::DropParser::mayHoldFiles(event->mimeData()))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    app::Result<QStringList> paths = app::DropParser::localPaths(event->mimeData());
    if (!paths) {
        showDropProblem(paths.error().message);
        return;
    }
    event->acceptProposedAction();
    handleDrop(*paths, nullptr);
}

} // namespace ui
