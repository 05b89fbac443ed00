// MainWindow: starting sessions, their windows, drops, stopping, and quitting.

#include "AuditView.h"
#include "DatasetInspection.h"
#include "EngineSession.h"
#include "HostLimits.h"
#include "MainWindow.h"
#include "ManagedSession.h"
#include "NewSessionDialog.h"
#include "SessionListModel.h"
#include "SessionListView.h"
#include "SessionManager.h"
#include "SessionWindow.h"
#include "audit/AuditEvents.h"
#include "audit/AuditStore.h"
#include "audit/AuditVerification.h"

#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QStatusBar>

namespace ui {

namespace {
constexpr int kStatusMilliseconds = 10'000;
} // namespace

NewSessionDialog* MainWindow::newSessionDialog() const
{
    return m_newSession.data();
}

AuditView* MainWindow::auditView() const
{
    return m_auditView.data();
}

void MainWindow::showNewSessionDialog(const QStringList& paths)
{
    if (m_shuttingDown)
        return;
    if (m_newSession) {
        // One dialog at a time: a second drop adds to the one being filled in.
        if (!paths.isEmpty())
            m_newSession->addDatasetPaths(paths);
        m_newSession->raise();
        m_newSession->activateWindow();
        return;
    }
    auto* dialog = new NewSessionDialog(app::HostLimits::current(), m_nextSessionNumber, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_newSession = dialog;
    connect(dialog, &QDialog::accepted, this, [this, dialog] { startSession(dialog->request()); });
    if (!paths.isEmpty())
        dialog->addDatasetPaths(paths);
    dialog->open();
}

void MainWindow::startSession(const app::SessionRequest& request)
{
    app::Result<app::ManagedSession*> started = m_manager.startSession(request);
    if (!started) {
        auto* box = new QMessageBox(QMessageBox::Warning, tr("The session did not start"),
            started.error().message, QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("startProblem"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        return;
    }
    int row = m_model->rowOf(*started);
    if (row >= 0)
        m_list->setCurrentIndex(m_model->index(row, 0));
    openSessionWindow(*started);
}

SessionWindow* MainWindow::sessionWindow(app::ManagedSession* session) const
{
    return m_windows.value(session).data();
}

void MainWindow::openSessionWindow(app::ManagedSession* session)
{
    if (!session)
        return;
    SessionWindow* window = sessionWindow(session);
    if (!window) {
        window = new SessionWindow(*session, this);
        window->setAttribute(Qt::WA_DeleteOnClose);
        m_windows.insert(session, window);
        connect(window, &SessionWindow::datasetsDropped, this, &MainWindow::offerDatasetsToSession);
        connect(window, &SessionWindow::closedAfterEnd, this, &MainWindow::sessionWindowClosed);
    }
    window->show();
    window->raise();
    window->activateWindow();
}

void MainWindow::sessionWindowClosed(app::ManagedSession* session)
{
    // An ended session leaves the list with its window; the audit trail keeps its record.
    m_windows.remove(session);
    if (!m_manager.forget(session))
        return; // still running after all: it stays listed
}

void MainWindow::stopCurrentSession()
{
    app::ManagedSession* session = currentSession();
    if (!session)
        return;
    // The session window asks about unexported outbox files; it is the one place that does.
    openSessionWindow(session);
    sessionWindow(session)->requestStopAndShred();
}

void MainWindow::handleDrop(const QStringList& paths, app::ManagedSession* target)
{
    if (target)
        offerDatasetsToSession(target, paths);
    else
        showNewSessionDialog(paths);
}

void MainWindow::offerDatasetsToSession(app::ManagedSession* session, const QStringList& paths)
{
    if (!session || app::isFinalState(session->engine().state())) {
        showNewSessionDialog(paths);
        return;
    }
    if (!session->engine().canAddDatasets()) {
        // A session attached to an engine started elsewhere has no key to grant datasets with.
        auto* box = new QMessageBox(QMessageBox::Information,
            tr("Add datasets to \"%1\"").arg(session->request().name),
            tr("\"%1\" cannot take datasets while it runs.").arg(session->request().name),
            QMessageBox::Cancel, this);
        box->setObjectName(QStringLiteral("hotAddMessage"));
        box->setInformativeText(tr("Start a new session with these datasets instead."));
        box->setDetailedText(paths.join(QLatin1Char('\n')));
        QAbstractButton* fresh =
            box->addButton(tr("New session with these…"), QMessageBox::AcceptRole);
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QMessageBox::finished, this, [this, box, fresh, paths] {
            if (box->clickedButton() == fresh)
                showNewSessionDialog(paths);
        });
        box->open();
        return;
    }
    connect(session, &app::ManagedSession::datasetAdded, this, &MainWindow::reportDatasetAdded,
        Qt::UniqueConnection);
    connect(session, &app::ManagedSession::datasetAddFailed, this,
        &MainWindow::reportDatasetAddFailed, Qt::UniqueConnection);
    // Inspected first on a worker thread, all or nothing: something unreadable changes nothing.
    auto* inspection = new app::DatasetInspection(this);
    QPointer<app::ManagedSession> target(session);
    QString sessionName = session->request().name;
    connect(inspection, &app::DatasetInspection::inspected, this,
        [this, inspection, target](const QList<app::DatasetSource>& sources) {
            inspection->deleteLater();
            if (!target || app::isFinalState(target->engine().state()))
                return;
            statusBar()->showMessage(tr("Adding %n dataset(s) to \"%1\"…", nullptr,
                                         static_cast<int>(sources.size()))
                                         .arg(target->request().name),
                kStatusMilliseconds);
            target->addDatasets(sources);
        });
    connect(inspection, &app::DatasetInspection::failed, this,
        [this, inspection, sessionName](const QString& message) {
            inspection->deleteLater();
            showDatasetAddProblem(sessionName, message);
        });
    inspection->start(paths, session->datasets());
}

void MainWindow::reportDatasetAdded(const app::DatasetSource& dataset, qint64 mountMs)
{
    auto* session = qobject_cast<app::ManagedSession*>(sender());
    if (!session)
        return;
    statusBar()->showMessage(tr("\"%1\" is in \"%2\" at /datasets/%1, read-only (%3 ms).")
                                 .arg(dataset.name, session->request().name)
                                 .arg(mountMs),
        kStatusMilliseconds);
}

void MainWindow::reportDatasetAddFailed(const QString& name, const QString& message)
{
    Q_UNUSED(name);
    auto* session = qobject_cast<app::ManagedSession*>(sender());
    showDatasetAddProblem(session ? session->request().name : QString(), message);
}

void MainWindow::showDatasetAddProblem(const QString& sessionName, const QString& message)
{
    statusBar()->showMessage(message, kStatusMilliseconds);
    auto* box = new QMessageBox(QMessageBox::Warning,
        tr("Nothing added to \"%1\"").arg(sessionName), message, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("datasetAddProblem"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::showDropProblem(const QString& message)
{
    statusBar()->showMessage(message, kStatusMilliseconds);
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Nothing to start a session with"),
        message, QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("dropProblem"));
    box->setInformativeText(tr("Drop folders or files from your file manager."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::showAuditTrail()
{
    if (!m_auditView) {
        auto* view = new AuditView(m_manager.audit(), this);
        view->setObjectName(QStringLiteral("auditView"));
        view->setWindowFlag(Qt::Window);
        view->setWindowTitle(tr("Audit trail — Airlock"));
        view->setAttribute(Qt::WA_DeleteOnClose);
        view->resize(1100, 680);
        view->setVerificationRecorder([this](const app::AuditVerification& verification) {
            recordVerification(verification);
        });
        connect(&m_manager, &app::SessionManager::auditAppended, view, &AuditView::refresh);
        m_auditView = view;
    }
    m_auditView->show();
    m_auditView->raise();
    m_auditView->activateWindow();
}

void MainWindow::recordVerification(const app::AuditVerification& verification)
{
    // The check only read the trail; its outcome is itself part of the record.
    app::Result<app::AuditEvent> recorded =
        m_manager.audit().append(app::AuditEvents::auditVerified(verification));
    if (!recorded)
        statusBar()->showMessage(recorded.error().message, kStatusMilliseconds);
    m_chainVerdict = verification.intact ? tr("chain verified") : tr("chain BROKEN");
    updateStatus();
    if (m_auditView)
        m_auditView->refresh();
}

void MainWindow::requestQuit()
{
    if (m_shuttingDown)
        return;
    int active = m_model->activeCount();
    if (active == 0) {
        m_readyToQuit = true;
        close();
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Quit Airlock"),
        tr("%n session(s) still running.", nullptr, active), QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("quitQuestion"));
    box->setInformativeText(tr("Quitting stops them and shreds everything they hold, including "
                               "outbox files you have not exported."));
    QAbstractButton* quit =
        box->addButton(tr("Stop, shred and quit"), QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, quit] {
        if (box->clickedButton() == quit)
            beginShutdown();
    });
    box->open();
}

void MainWindow::beginShutdown()
{
    m_shuttingDown = true;
    updateActions();
    int active = m_model->activeCount();
    auto* progress = new QProgressDialog(
        tr("Stopping and shredding %n session(s)…", nullptr, active), QString(), 0, active, this);
    progress->setObjectName(QStringLiteral("shutdownProgress"));
    progress->setWindowTitle(tr("Quitting Airlock"));
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(0);
    progress->setAutoClose(false);
    progress->setValue(0);
    m_shutdownProgress = progress;
    connect(m_model, &SessionListModel::activityChanged, progress,
        [this, progress, active] { progress->setValue(active - m_model->activeCount()); });
    connect(&m_manager, &app::SessionManager::allClosed, this, &MainWindow::finishShutdown,
        Qt::SingleShotConnection);
    m_manager.closeAll();
}

void MainWindow::finishShutdown()
{
    if (m_shutdownProgress)
        m_shutdownProgress->deleteLater();
    m_readyToQuit = true;
    close();
}

} // namespace ui
