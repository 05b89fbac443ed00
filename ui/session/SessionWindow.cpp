#include "SessionWindow.h"

#include "CloseQuestion.h"
#include "DatasetListWidget.h"
#include "DropParser.h"
#include "EngineSession.h"
#include "ManagedOutboxSource.h"
#include "ManagedSession.h"
#include "OutboxPanel.h"
#include "SessionDisplayTab.h"
#include "SessionHeader.h"
#include "SessionLiveView.h"
#include "ShredCertificateDialog.h"
#include "TerminalView.h"

#include <QAction>
#include <QCloseEvent>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QVBoxLayout>

namespace ui {

namespace {
const QString kGeometryKey = QStringLiteral("SessionWindow/geometry");
constexpr int kStatusMilliseconds = 10'000;
} // namespace

SessionWindow::SessionWindow(app::ManagedSession& session, QWidget* parent)
    : QMainWindow(parent, Qt::Window)
    , m_session(session)
    , m_outboxSource(std::make_unique<ManagedOutboxSource>(session))
{
    setObjectName(QStringLiteral("sessionWindow"));
    setWindowTitle(tr("%1 — Airlock").arg(session.request().name));
    setAcceptDrops(true);
    setCentralWidget(buildCentre());
    buildActions();
    if (!restoreGeometry(QSettings().value(kGeometryKey).toByteArray()))
        resize(1200, 720);

    app::EngineSession& engine = session.engine();
    connect(&engine, &app::EngineSession::stateChanged, this,
        [this](app::EngineState state, const QString&) { updateActions(state); });
    connect(&engine, &app::EngineSession::errorOccurred, this, &SessionWindow::showProblem);
    connect(&engine, &app::EngineSession::guestExited, this, [this](int status) {
        statusBar()->showMessage(tr("The session's command exited with status %1.").arg(status));
    });
    connect(&session, &app::ManagedSession::datasetsChanged, this,
        [this] { m_datasets->setSources(m_session.datasets()); });
    connect(
        &session, &app::ManagedSession::shredReportReady, this, &SessionWindow::showShredReport);
    connect(&session, &app::ManagedSession::ended, this, [this](const QString& reason) {
        statusBar()->showMessage(tr("The session ended: %1").arg(reason));
    });
    updateActions(engine.state());
    if (session.request().mainView == app::MainView::Display)
        m_display->setFocus();
    else
        m_liveView->terminal()->setFocus();
}

SessionWindow::~SessionWindow() = default;

QWidget* SessionWindow::buildCentre()
{
    auto* centre = new QWidget(this);
    auto* layout = new QVBoxLayout(centre);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    SessionHeader::Facts facts {
        m_session.request().purpose, m_session.startedAt(), m_session.deadline()};
    m_header = new SessionHeader(m_session.engine(), facts, centre);
    layout->addWidget(m_header);

    m_tabs = new QTabWidget(centre);
    m_tabs->setObjectName(QStringLiteral("sessionTabs"));
    m_tabs->setDocumentMode(true);
    m_liveView = new SessionLiveView(m_session.engine(), m_session.startedAt(), m_tabs);
    m_display = new SessionDisplayTab(m_session.engine(), m_tabs);
    // The main view first: where the session's command runs.
    if (m_session.request().mainView == app::MainView::Display) {
        m_tabs->addTab(m_display, tr("Displa&y"));
        m_tabs->addTab(m_liveView, tr("&Console"));
    } else {
        m_tabs->addTab(m_liveView, tr("&Console"));
        m_tabs->addTab(m_display, tr("Displa&y"));
    }

    m_datasets = new DatasetListWidget(m_tabs);
    m_datasets->setObjectName(QStringLiteral("sessionDatasets"));
    m_datasets->setRemovable(false);
    m_datasets->setDigestShown(true);
    m_datasets->setPlaceholderText(tr("This session has no datasets."));
    m_datasets->setSources(m_session.datasets());
    m_tabs->addTab(m_datasets, tr("&Datasets"));

    m_outbox = new OutboxPanel(*m_outboxSource, m_tabs);
    m_outbox->setObjectName(QStringLiteral("outboxPanel"));
    m_tabs->addTab(m_outbox, tr("&Outbox"));
    layout->addWidget(m_tabs, 1);
    return centre;
}

void SessionWindow::buildActions()
{
    m_pauseAction = new QAction(tr("&Pause"), this);
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_pauseAction->setShortcut(QKeySequence(tr("Ctrl+Shift+P")));
    m_pauseAction->setToolTip(tr("Pause or resume the session's virtual CPUs"));
    connect(m_pauseAction, &QAction::triggered, this, &SessionWindow::togglePause);

    m_stopAction = new QAction(tr("&Stop && shred…"), this);
    m_stopAction->setObjectName(QStringLiteral("stopAction"));
    // Spelled out: QKeySequence::Close is Ctrl+F4 alone on some platforms.
    m_stopAction->setShortcut(QKeySequence(tr("Ctrl+W")));
    m_stopAction->setToolTip(tr("Stop the session and destroy everything it holds"));
    connect(m_stopAction, &QAction::triggered, this, &SessionWindow::requestStopAndShred);

    m_forceStopAction = new QAction(tr("&Force stop…"), this);
    m_forceStopAction->setObjectName(QStringLiteral("forceStopAction"));
    m_forceStopAction->setShortcut(QKeySequence(tr("Ctrl+Shift+W")));
    m_forceStopAction->setToolTip(tr("Stop the virtual machine at once, without a clean shutdown"));
    connect(m_forceStopAction, &QAction::triggered, this, &SessionWindow::requestForceStop);

    QMenu* menu = menuBar()->addMenu(tr("&Session"));
    menu->addAction(m_pauseAction);
    menu->addSeparator();
    menu->addAction(m_stopAction);
    menu->addAction(m_forceStopAction);
    QToolBar* toolBar = addToolBar(tr("Session"));
    toolBar->setObjectName(QStringLiteral("sessionToolBar"));
    toolBar->setMovable(false);
    toolBar->addAction(m_pauseAction);
    toolBar->addAction(m_stopAction);
}

void SessionWindow::showOutbox()
{
    m_tabs->setCurrentWidget(m_outbox);
}

void SessionWindow::showDisplay()
{
    m_tabs->setCurrentWidget(m_display);
}

void SessionWindow::updateActions(app::EngineState state)
{
    using app::EngineState;
    bool ended = app::isFinalState(state);
    m_pauseAction->setEnabled(state == EngineState::Running || state == EngineState::Paused);
    m_pauseAction->setText(state == EngineState::Paused ? tr("&Resume") : tr("&Pause"));
    m_stopAction->setEnabled(!ended && state != EngineState::Shredding);
    m_forceStopAction->setEnabled(!ended && state != EngineState::Shredding);
    m_stopAction->setText(ended ? tr("&Close window") : tr("&Stop && shred…"));
    if (ended)
        m_stopAction->setEnabled(true); // Ctrl+W now just closes the window
}

void SessionWindow::togglePause()
{
    bool paused = m_session.engine().state() == app::EngineState::Paused;
    auto future = paused ? m_session.engine().resume() : m_session.engine().pause();
    future.then(this, [this](const app::Result<void>& result) {
        if (!result)
            showProblem(result.error().message);
    });
}

void SessionWindow::requestStopAndShred()
{
    if (m_session.isEnded() || app::isFinalState(m_session.engine().state())) {
        close();
        return;
    }
    if (m_checkingOutbox || m_question)
        return;
    m_checkingOutbox = true;
    statusBar()->showMessage(tr("Checking the outbox for files you have not exported…"));
    m_session.listOutbox().then(this, [this](const app::Result<QList<app::OutboxFile>>& listed) {
        m_checkingOutbox = false;
        statusBar()->clearMessage();
        askAboutOutbox(listed ? QString() : listed.error().message);
    });
}

void SessionWindow::askAboutOutbox(const QString& listingProblem)
{
    QStringList unexported =
        listingProblem.isEmpty() ? m_session.unexportedOutboxFiles() : QStringList();
    m_question = new CloseQuestion(m_session.request().name, unexported, listingProblem, this);
    m_question->setAttribute(Qt::WA_DeleteOnClose);
    CloseQuestion* question = m_question;
    connect(question, &QMessageBox::finished, this, [this, question] { answer(question); });
    question->open();
}

void SessionWindow::answer(CloseQuestion* question)
{
    switch (question->choice()) {
    case CloseQuestion::Choice::Export:
        showOutbox();
        break;
    case CloseQuestion::Choice::Shred:
        statusBar()->showMessage(tr("Stopping the session and shredding it…"));
        m_session.close(false).then(this, [this](const app::Result<void>& result) {
            if (!result)
                showProblem(result.error().message);
        });
        break;
    case CloseQuestion::Choice::Cancel:
        break;
    }
}

void SessionWindow::requestForceStop()
{
    if (app::isFinalState(m_session.engine().state()))
        return;
    auto* box =
        new QMessageBox(QMessageBox::Warning, tr("Force stop \"%1\"").arg(m_session.request().name),
            tr("Stop the virtual machine at once? Programs in it get no chance to finish, and "
               "unexported outbox files are destroyed with the session."),
            QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("forceStopQuestion"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QAbstractButton* force = box->addButton(tr("Force stop"), QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, box, force] {
        if (box->clickedButton() != force)
            return;
        m_session.close(true).then(this, [this](const app::Result<void>& result) {
            if (!result)
                showProblem(result.error().message);
        });
    });
    box->open();
}

void SessionWindow::showShredReport(const QJsonObject& report)
{
    ShredCertificate certificate;
    certificate.sessionName = m_session.request().name;
    certificate.purpose = m_session.request().purpose;
    certificate.started = m_session.startedAt();
    certificate.ended = QDateTime::currentDateTime();
    certificate.report = report;
    auto* dialog = new ShredCertificateDialog(certificate, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void SessionWindow::showProblem(const QString& message)
{
    statusBar()->showMessage(message, kStatusMilliseconds);
}

void SessionWindow::closeEvent(QCloseEvent* event)
{
    QSettings().setValue(kGeometryKey, saveGeometry());
    if (app::isFinalState(m_session.engine().state())) {
        event->accept();
        emit closedAfterEnd(&m_session);
        return;
    }
    // A running session is never closed by a window going away: ask first.
    event->ignore();
    requestStopAndShred();
}

void SessionWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (app::DropParser::mayHoldFiles(event->mimeData()))
        event->acceptProposedAction();
}

void SessionWindow::dropEvent(QDropEvent* event)
{
    app::Result<QStringList> paths = app::DropParser::localPaths(event->mimeData());
    if (!paths) {
        showProblem(paths.error().message);
        return;
    }
    event->acceptProposedAction();
    emit datasetsDropped(&m_session, *paths);
}

} // namespace ui
