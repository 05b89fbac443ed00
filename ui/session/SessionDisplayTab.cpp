#include "SessionDisplayTab.h"

#include "DisplayConnection.h"
#include "DisplayView.h"
#include "EngineSession.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace ui {

SessionDisplayTab::SessionDisplayTab(app::EngineSession& engine, QWidget* parent)
    : QWidget(parent)
    , m_engine(engine)
{
    setObjectName(QStringLiteral("sessionDisplayTab"));
    m_layout = new QVBoxLayout(this);
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(0);

    auto* bar = new QWidget(this);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(8, 4, 8, 4);
    m_status = new QLabel(bar);
    m_status->setObjectName(QStringLiteral("displayStatus"));
    m_status->setWordWrap(true);
    m_reconnect = new QPushButton(tr("&Reconnect"), bar);
    m_reconnect->setObjectName(QStringLiteral("displayReconnect"));
    m_reconnect->setVisible(false);
    connect(m_reconnect, &QPushButton::clicked, this, &SessionDisplayTab::connectToScreen);
    row->addWidget(m_status, 1);
    row->addWidget(m_reconnect);
    m_layout->addWidget(bar);

    m_externalViewers = new QLabel(this);
    m_externalViewers->setObjectName(QStringLiteral("displayExternalViewers"));
    m_externalViewers->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_externalViewers->setContentsMargins(8, 0, 8, 4);
    m_externalViewers->setVisible(!engine.displayPassword().isEmpty());
    updateExternalViewers();
    connect(&engine, &app::EngineSession::displayTcpPortChanged, this,
        &SessionDisplayTab::updateExternalViewers);
    m_layout->addWidget(m_externalViewers);

    if (engine.displaySize().isEmpty())
        setStatus(
            tr("This session has no screen. Start a session with one to see it here."), false);
    else
        setStatus(tr("The screen appears once the session runs."), false);
    connect(&engine, &app::EngineSession::stateChanged, this,
        [this](app::EngineState state, const QString&) { onStateChanged(state); });
}

SessionDisplayTab::~SessionDisplayTab() = default;

void SessionDisplayTab::updateExternalViewers()
{
    if (m_engine.displayPassword().isEmpty())
        return;
    QString password = QString::fromLatin1(m_engine.displayPassword());
    if (m_engine.runsInLab())
        m_externalViewers->setText(
            tr("Other VNC viewers were allowed, but this session runs inside the KVM lab: its "
               "port is the lab's, not this computer's. Use this window's view."));
    else if (m_engine.displayTcpPort() == 0)
        m_externalViewers->setText(
            tr("Other VNC viewers: waiting for the session to open its port…"));
    else
        m_externalViewers->setText(
            tr("Other VNC viewers on this computer: 127.0.0.1:%1, password %2. Anyone with the "
               "password can see and use this screen; it ends with the session.")
                .arg(m_engine.displayTcpPort())
                .arg(password));
}

QString SessionDisplayTab::statusText() const
{
    return m_status->text();
}

QString SessionDisplayTab::externalViewersText() const
{
    return m_engine.displayPassword().isEmpty() ? QString() : m_externalViewers->text();
}

void SessionDisplayTab::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!m_wanted) {
        m_wanted = true;
        connectToScreen();
    }
}

void SessionDisplayTab::onStateChanged(app::EngineState state)
{
    if (state == app::EngineState::Running && m_wanted && !m_connection)
        connectToScreen();
    if (app::isFinalState(state)) {
        if (m_connection)
            m_connection->stop();
        setStatus(tr("The session has ended; its screen was shredded with it."), false);
    }
}

void SessionDisplayTab::connectToScreen()
{
    m_wanted = true;
    if (m_engine.displaySize().isEmpty() || m_engine.state() != app::EngineState::Running)
        return;
    auto connector = m_engine.displayConnector();
    if (!connector) {
        setStatus(connector.error().message, true);
        return;
    }
    // A new connection and view each time: a connection starts once.
    delete m_view;
    delete m_connection;
    m_connection = new app::DisplayConnection(std::move(*connector), this);
    m_view = new DisplayView(m_connection, this);
    m_view->setObjectName(QStringLiteral("sessionDisplayView"));
    m_layout->addWidget(m_view, 1);
    connect(
        m_connection, &app::DisplayConnection::connected, this, [this](QSize size, const QString&) {
            setStatus(tr("The session's screen, %1 × %2. View only until you take control.")
                          .arg(size.width())
                          .arg(size.height()),
                false);
        });
    connect(m_view, &DisplayView::controlChanged, this, [this](bool inControl) {
        setStatus(inControl ? tr("Your keyboard and mouse go to the session. Press Ctrl+Alt to "
                                 "give them back.")
                            : tr("View only: take control to type or click in the session."),
            false);
    });
    connect(m_connection, &app::DisplayConnection::failed, this,
        [this](const QString& message) { setStatus(message, true); });
    connect(m_connection, &app::DisplayConnection::disconnected, this, [this] {
        if (m_engine.state() == app::EngineState::Running)
            setStatus(tr("The connection to the screen ended."), true);
    });
    setStatus(tr("Connecting to the session's screen…"), false);
    m_connection->start();
}

void SessionDisplayTab::setStatus(const QString& text, bool offerReconnect)
{
    m_status->setText(text);
    m_reconnect->setVisible(offerReconnect && m_engine.state() == app::EngineState::Running);
}

} // namespace ui
