// EngineSession: what the engine says over the control channel, each frame validated before it
// is believed (the engine runs the guest and may be compromised by it).

#include "EngineChannel.h"
#include "EngineProcess.h"
#include "EngineSession.h"
#include "control/ControlClient.h"
#include "control/ControlEvents.h"
#include "protocol/ErrorMessage.h"
#include "scratch/ShredReport.h"

#include <QJsonDocument>

namespace app {

namespace {
// The agent's answer is paired with the engine's metrics for this long (through the KVM lab one
// answer takes seconds to come back).
constexpr qint64 kGuestMetricsFreshMs = 6000;
// After this many failed agent requests in a row, ask only every tenth second. The agent starts
// after the guest's mounts, seconds after the VM runs (tens of seconds in the KVM lab): its
// refusals while it boots must not push the first graphs ten seconds back.
constexpr int kGuestMetricsBackoff = 60;

// Whether the channel ended because the engine went away (end of stream, reset) rather than
// because it sent something malformed (ControlClient's reasons).
bool isPeerGone(const QString& reason)
{
    return reason.contains(QLatin1String("closed the channel")) ||
        reason.contains(QLatin1String("Connection reset")) ||
        reason.contains(QLatin1String("Broken pipe"));
}

QJsonObject toJsonObject(const nlohmann::json& json)
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(json.dump())).object();
}
} // namespace

void EngineSession::onConnected(std::shared_ptr<vmm::ControlClient> client)
{
    m_client = std::move(client);
    m_metricsAgent = std::make_unique<GuestAgent>(m_client);
    m_outboxAgent = std::make_unique<GuestAgent>(m_client);
    runCommand([](vmm::ControlClient& control) -> Result<void> {
        if (auto subscribed = control.subscribeMetrics(std::chrono::milliseconds(1000));
            !subscribed)
            return failure(tr("The session's graphs will stay empty: the engine refused to send "
                              "metrics (%1).")
                               .arg(QString::fromStdString(subscribed.error().message())));
        return {};
    });
    if (m_state.state() == EngineState::Running)
        m_metricsTimer.start();
    sendQueuedStop();
}

void EngineSession::onEvent(const vmm::Frame& frame)
{
    switch (static_cast<vmm::ControlKind>(frame.kind)) {
    case vmm::ControlKind::State:
        onStateEvent(frame);
        return;
    case vmm::ControlKind::ConsoleOutputBytes:
        // Safety: the payload is plain bytes; QByteArray copies them.
        emit consoleOutput(QByteArray(reinterpret_cast<const char*>(frame.payload.data()),
            static_cast<qsizetype>(frame.payload.size())));
        return;
    case vmm::ControlKind::ConsoleDropped:
        if (auto dropped = vmm::ConsoleDroppedEvent::fromJson(frame.header))
            emit errorOccurred(tr("%1 bytes of console output were lost because Airlock could not "
                                  "keep up; the console may have a gap.")
                                   .arg(dropped->bytes));
        return;
    case vmm::ControlKind::Metrics:
        onMetricsEvent(frame);
        return;
    case vmm::ControlKind::GuestExit:
        if (auto exited = vmm::GuestExitEvent::fromJson(frame.header))
            emit guestExited(exited->exitCode);
        return;
    case vmm::ControlKind::ShredReport:
        onShredReportEvent(frame);
        return;
    case vmm::ControlKind::DatasetManifest:
        if (auto manifest = vmm::DatasetManifestEvent::fromJson(frame.header))
            emit datasetManifest(toJsonObject(frame.header));
        return;
    case vmm::ControlKind::DatasetVerify:
        if (auto verified = vmm::DatasetVerifyEvent::fromJson(frame.header))
            emit datasetVerified(toJsonObject(frame.header));
        return;
    default:
        break;
    }
    if (frame.kind == vmm::toWire(vmm::MessageKind::Error)) {
        auto error = vmm::ErrorMessage::fromJson(frame.header);
        emit errorOccurred(
            tr("The engine reported an error: %1")
                .arg(error ? QString::fromStdString(error->message) : tr("(unreadable)")));
    }
}

void EngineSession::onStateEvent(const vmm::Frame& frame)
{
    auto event = vmm::StateEvent::fromJson(frame.header);
    if (!event)
        return; // the client validated it; nothing else can arrive
    EngineState current = m_state.state();
    switch (event->state) {
    case vmm::MachineState::Running:
        if (current == EngineState::Starting || current == EngineState::Paused)
            moveTo(EngineState::Running);
        return;
    case vmm::MachineState::Paused:
        if (current == EngineState::Running)
            moveTo(EngineState::Paused);
        return;
    case vmm::MachineState::Stopping:
        moveTo(EngineState::Stopping,
            m_state.state() == EngineState::Stopping ? m_state.reason()
                                                     : tr("The session is stopping."));
        return;
    case vmm::MachineState::Stopped:
        if (current != EngineState::Stopping && !isFinalState(current))
            moveTo(EngineState::Stopping, tr("The guest stopped."));
        moveTo(EngineState::Shredding, tr("The engine is shredding the session."));
        return;
    }
}

void EngineSession::onMetricsEvent(const vmm::Frame& frame)
{
    auto host = vmm::HostMetrics::fromJson(frame.header);
    if (!host)
        return;
    std::optional<vmm::GuestMetrics> guest;
    if (m_guestMetrics && m_guestMetricsAge.isValid() &&
        m_guestMetricsAge.elapsed() <= kGuestMetricsFreshMs)
        guest = m_guestMetrics;
    MetricsSample sample = MetricsSample::fromMetrics(*host, guest);
    m_history.add(sample);
    emit metricsSampled(sample);
}

void EngineSession::requestGuestMetrics()
{
    if (!m_metricsAgent || m_guestMetricsPending || m_state.state() != EngineState::Running)
        return;
    if (m_guestMetricsFailures >= kGuestMetricsBackoff && ++m_guestMetricsSkipped % 10 != 0)
        return;
    m_guestMetricsPending = true;
    m_metricsAgent->metrics().then(this, [this](Result<vmm::GuestMetrics> metrics) {
        m_guestMetricsPending = false;
        if (!metrics) {
            ++m_guestMetricsFailures;
            return; // the graphs show a gap; the agent may still be booting
        }
        m_guestMetricsFailures = 0;
        m_guestMetrics = *metrics;
        m_guestMetricsAge.start();
    });
}

void EngineSession::onShredReportEvent(const vmm::Frame& frame)
{
    auto event = vmm::ShredReportEvent::fromJson(frame.header);
    if (!event)
        return;
    // Hostile input: only a report that parses as one is believed, and only its known fields
    // are passed on (re-serialized).
    auto report = vmm::ShredReport::fromJson(event->report.dump());
    if (!report) {
        emit errorOccurred(tr("The engine sent a shred report Airlock cannot read (%1); Airlock "
                              "will check the session directory itself.")
                               .arg(QString::fromStdString(report.error().message())));
        return;
    }
    QJsonObject object =
        QJsonDocument::fromJson(QByteArray::fromStdString(report->toJson(-1))).object();
    object.insert(QStringLiteral("abandoned"), false);
    m_reportReceived = true;
    if (m_state.state() != EngineState::Shredding && !isFinalState(m_state.state())) {
        if (m_state.state() != EngineState::Stopping)
            moveTo(EngineState::Stopping);
        moveTo(EngineState::Shredding, tr("The engine is shredding the session."));
    }
    emit shredReport(object);
}

void EngineSession::onChannelClosed(const QString& reason)
{
    m_channelClosed = true;
    m_channelCloseReason = reason;
    // A stop waiting for the hello is moot: without its channel the engine stops by itself.
    settleQueuedStop({});
    m_metricsTimer.stop();
    if (m_metricsAgent)
        m_metricsAgent->abort();
    if (m_outboxAgent)
        m_outboxAgent->abort();
    bool expected = m_reportReceived || m_state.state() == EngineState::Shredding;
    if (!expected && !isFinalState(m_state.state())) {
        // A protocol violation or a vanished engine: the session cannot be trusted to go on.
        bool malformed = !isPeerGone(reason);
        if (malformed)
            m_failure = tr("The engine sent a message Airlock does not accept (%1), so Airlock "
                           "stopped the session. Start a new session; if this happens again, "
                           "report it.")
                            .arg(reason);
        if (m_process && m_process->isRunning()) {
            // Without its channel airlock-vmm stops and shreds itself; one that went quiet
            // because it is dying needs no Stopping (its exit follows at once).
            if (malformed)
                moveTo(EngineState::Stopping,
                    tr("Lost contact with the engine; waiting for it "
                       "to stop."));
            m_stopTimer.start();
        }
    }
    finishIfDone();
}

void EngineSession::onProcessFinished(int code, bool bySignal)
{
    m_processEnded = true;
    m_processCode = code;
    m_processKilledBySignal = bySignal;
    m_stopTimer.stop();
    if (!m_channelClosed) {
        // The socket closes with the process; unless a grandchild kept it open, in which case
        // the channel is closed for it after a moment.
        QTimer::singleShot(3000, this, [this] {
            if (!m_channelClosed && m_channel) {
                m_channel->abort();
            }
        });
    }
    finishIfDone();
}

} // namespace app
