#include "EngineSession.h"

#include <QRegularExpression>

#include "AbandonedShred.h"
#include "EngineChannel.h"
#include "EngineProcess.h"
#include "control/ControlClient.h"

#include <cerrno>
#include <cstring>

#include <sys/socket.h>

#include <QDebug>

namespace app {

namespace {
// How long an engine that lost its channel has to stop and shred itself before it is killed.
constexpr int kStopGraceMs = 15000;
// How long the destructor lets an engine without its app shut down cleanly.
constexpr int kDestructorGraceMs = 3000;
} // namespace

EngineSession::EngineSession(QObject* parent)
    : QObject(parent)
{
    m_commandPool.setMaxThreadCount(1);
    m_metricsTimer.setInterval(1000);
    connect(&m_metricsTimer, &QTimer::timeout, this, &EngineSession::requestGuestMetrics);
    m_stopTimer.setSingleShot(true);
    m_stopTimer.setInterval(kStopGraceMs);
    connect(&m_stopTimer, &QTimer::timeout, this, [this] {
        if (m_process && m_process->isRunning()) {
            qWarning("airlock: the engine did not stop %d s after losing its channel; killing it",
                kStopGraceMs / 1000);
            m_process->kill();
        }
    });
}

EngineSession::~EngineSession()
{
    m_metricsTimer.stop();
    if (m_channel)
        m_channel->abort(); // waiting commands and agent requests fail at once
    if (m_metricsAgent)
        m_metricsAgent->abort();
    if (m_outboxAgent)
        m_outboxAgent->abort();
    m_commandPool.waitForDone();
    m_datasetGrantKey.fill('\0');
    m_metricsAgent.reset();
    m_outboxAgent.reset();
    m_channel.reset();
    m_client.reset();
    if (m_process && m_process->isRunning() && !m_process->waitForFinished(kDestructorGraceMs)) {
        m_process->kill();
        m_process->waitForFinished(kDestructorGraceMs);
        if (!m_reportReceived && !m_sessionDirectory.isEmpty())
            shredAbandonedSession(m_sessionDirectory,
                QStringLiteral("the session was closed while its engine would not stop"));
    }
}

qint64 EngineSession::processId() const
{
    return m_process ? m_process->processId() : 0;
}

Result<void> EngineSession::start(const EngineLaunch& launch)
{
    if (m_begun)
        return failure(tr("This session has already been started; start a new session instead."));
    APP_TRY(launch.validate());
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        return failure(tr("Cannot create the engine's control channel: %1. Close other sessions "
                          "and try again.")
                           .arg(QString::fromLocal8Bit(std::strerror(errno))));
    vmm::UniqueFd appSide(pair[0]);
    vmm::UniqueFd engineSide(pair[1]);
    m_process = new EngineProcess(this);
    connect(m_process, &EngineProcess::finished, this, &EngineSession::onProcessFinished);
    connect(m_process, &EngineProcess::outputLine, this, &EngineSession::onOutputLine);
    // The overload with the launch gives the KVM lab its environment (control fd, relay, size).
    if (auto started = m_process->start(launch, engineSide.get()); !started) {
        delete m_process;
        m_process = nullptr;
        return tl::unexpected(started.error());
    }
    engineSide.reset(); // the child has its copy: the channel closes when it exits
    m_begun = true;
    m_sessionDirectory = launch.sessionDirectory;
    m_datasetGrantKey = launch.datasetGrantKey;
    m_displaySize = launch.displaySize;
    m_displayPassword = launch.displayPassword;
    m_runsInLab = launch.runsInLab();
    return attachChannel(std::move(appSide), launch.helloTimeout());
}

void EngineSession::onOutputLine(const QString& line)
{
    emit logLine(line);
    // The engine's one line about other viewers (vmm/tools/main.cpp); it is untrusted output, so
    // only that exact shape with a port in range is taken, once.
    static const QRegularExpression kPortLine(QStringLiteral(
        "^airlock-vmm: display: other viewers may connect to 127\\.0\\.0\\.1:([0-9]{1,5}) "));
    if (m_displayPassword.isEmpty() || m_displayTcpPort != 0)
        return;
    QRegularExpressionMatch match = kPortLine.match(line);
    int port = match.hasMatch() ? match.captured(1).toInt() : 0;
    if (port > 0 && port <= 65535) {
        m_displayTcpPort = port;
        emit displayTcpPortChanged(port);
    }
}

Result<void> EngineSession::attach(vmm::UniqueFd controlSocket, const QString& sessionDirectory,
    const QByteArray& datasetGrantKey)
{
    if (m_begun)
        return failure(tr("This session is already connected to an engine."));
    if (!controlSocket.isValid())
        return failure(tr("There is no control connection to attach to."));
    m_begun = true;
    m_sessionDirectory = sessionDirectory;
    m_datasetGrantKey = datasetGrantKey;
    // An engine running here, not in the lab: the launch's default hello timeout.
    return attachChannel(std::move(controlSocket), EngineLaunch {}.helloTimeout());
}

Result<void> EngineSession::attachChannel(
    vmm::UniqueFd controlSocket, std::chrono::milliseconds helloTimeout)
{
    // The callbacks run on the channel's thread: each becomes a queued call on ours, dropped
    // by Qt if this object is gone by then.
    EngineChannel::Callbacks callbacks;
    callbacks.connected = [this](std::shared_ptr<vmm::ControlClient> client) {
        QMetaObject::invokeMethod(
            this, [this, client] { onConnected(client); }, Qt::QueuedConnection);
    };
    callbacks.event = [this](vmm::Frame frame) {
        QMetaObject::invokeMethod(
            this, [this, frame = std::move(frame)] { onEvent(frame); }, Qt::QueuedConnection);
    };
    callbacks.closed = [this](std::string reason) {
        QMetaObject::invokeMethod(
            this, [this, reason = QString::fromStdString(reason)] { onChannelClosed(reason); },
            Qt::QueuedConnection);
    };
    m_channel = std::make_unique<EngineChannel>(
        std::move(controlSocket), std::move(callbacks), helloTimeout);
    return {};
}

void EngineSession::moveTo(EngineState state, const QString& reason)
{
    if (m_state.state() == state)
        return;
    if (auto moved = m_state.transition(state, reason); !moved) {
        qWarning("airlock: %s", qUtf8Printable(moved.error().message));
        return;
    }
    if (state != EngineState::Running)
        m_metricsTimer.stop();
    else if (m_metricsAgent)
        m_metricsTimer.start();
    emit stateChanged(state, reason);
}

void EngineSession::fail(const QString& reason)
{
    if (isFinalState(m_state.state()))
        return;
    moveTo(EngineState::Failed, reason);
}

} // namespace app
