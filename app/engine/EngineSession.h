#pragma once

#include "AppResult.h"
#include "EngineLaunch.h"
#include "EngineState.h"
#include "GuestAgent.h"
#include "MetricsHistory.h"
#include "MetricsSample.h"
#include "sys/UniqueFd.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include <QByteArray>
#include <QElapsedTimer>
#include <QFuture>
#include <QJsonObject>
#include <QObject>
#include <QSize>
#include <QPromise>
#include <QString>
#include <QThreadPool>
#include <QTimer>

namespace vmm {
class ControlClient;
struct Frame;
} // namespace vmm

namespace app {

class EngineChannel;
class EngineProcess;

/// What the engine reports of a dataset it added to the running session.
struct DatasetAddition {
    /// The folder under /datasets.
    QString name;
    /// Regular files, folders below the root, and their bytes, as the engine scanned them.
    qint64 fileCount = 0;
    qint64 folderCount = 0;
    qint64 totalBytes = 0;
    /// From the engine receiving the command to the guest having it mounted.
    qint64 mountMs = 0;
};

/// One session's engine seen from the GUI thread: starts airlock-vmm (or attaches to a control
/// socket), keeps the explicit state machine, and turns the control channel's events into
/// signals. Nothing here waits on the engine: the handshake and event pump run on the channel's
/// thread, commands on a worker thread, the guest agent on its own. Everything the engine sends
/// is validated before it is believed. An engine that ends without a shred report (crashed,
/// killed) still gets its session directory shredded, and the report says what happened.
class EngineSession : public QObject {
    Q_OBJECT

public:
    explicit EngineSession(QObject* parent = nullptr);
    /// Stops the engine if it still runs: closes the channel (airlock-vmm then shuts down and
    /// shreds itself), waits a little for it, kills it and shreds what it left if it will not go.
    ~EngineSession() override;

    /// Starts airlock-vmm as `launch` says, its control channel on a new socketpair. Once.
    Result<void> start(const EngineLaunch& launch);
    /// Drives an engine already connected to `controlSocket` (tests, remote engines). A local
    /// `sessionDirectory` is shredded if the engine vanishes without a report; `datasetGrantKey`
    /// is the key the engine was started with (empty: no datasets can be added). Once.
    Result<void> attach(vmm::UniqueFd controlSocket, const QString& sessionDirectory = {},
        const QByteArray& datasetGrantKey = {});

    /// The current state and why it was entered.
    EngineState state() const { return m_state.state(); }
    QString stateReason() const { return m_state.reason(); }
    /// The last ten minutes of metrics.
    const MetricsHistory& metricsHistory() const { return m_history; }
    /// The engine process's id (0 when attached or not running).
    qint64 processId() const;

    /// Pauses the vCPUs (state Paused once the engine confirms).
    QFuture<Result<void>> pause();
    /// Runs them again.
    QFuture<Result<void>> resume();
    /// Stops the session: through the guest agent for a clean shutdown, or at once if `force`.
    /// Then the engine shreds the session and the state ends in Ended. Before the engine's hello
    /// the stop waits for it, so that the engine still sends its own shred report.
    QFuture<Result<void>> stop(bool force = false);
    /// Shows `hostPath` to the running guest read-only at /datasets/`name`, without a restart:
    /// the engine's broker opens it under a grant made with the session's key, and the result
    /// comes once the guest has it mounted (or says why not: no room left, unreadable...).
    QFuture<Result<DatasetAddition>> addDataset(const QString& name, const QString& hostPath);
    /// Whether datasets can be added to this session while it runs (it has a grant key).
    bool canAddDatasets() const { return !m_datasetGrantKey.isEmpty(); }
    /// The guest's screen: its size (empty when the session has none) and the password of
    /// external viewers (empty when they are off). start() takes them from the launch.
    QSize displaySize() const { return m_displaySize; }
    QByteArray displayPassword() const { return m_displayPassword; }
    /// The loopback port other VNC viewers may use (the engine says which once it listens); 0
    /// until then, and when they are off.
    int displayTcpPort() const { return m_displayTcpPort; }
    /// Whether the engine runs inside the KVM lab (then its ports are the lab's, not this
    /// computer's).
    bool runsInLab() const { return m_runsInLab; }
    /// For a session attached to an engine started elsewhere: what its screen is.
    void setDisplay(QSize size, const QByteArray& password = {});
    /// Something that opens a new connection to the session's screen (a VNC stream relayed over
    /// the control channel, so it works the same through the KVM lab): call it on a worker
    /// thread, as it waits for the engine; it returns a connected socket the caller owns. Fails
    /// when the session has no screen or no engine yet.
    Result<std::function<Result<int>()>> displayConnector() const;
    /// Types `bytes` on the guest console (in order with earlier input).
    void sendConsoleInput(const QByteArray& bytes);
    /// The files in the guest's /outbox.
    QFuture<Result<QList<OutboxFile>>> listOutbox();
    /// Copies /outbox/`name` to `destination` atomically, checking its SHA-256 against the guest's.
    QFuture<Result<OutboxExport>> fetchOutboxFile(const QString& name, const QString& destination);

signals:
    /// Bytes the guest wrote to its console.
    void consoleOutput(const QByteArray& bytes);
    /// The state changed to `state`; `reason` says why when it is not the obvious.
    void stateChanged(app::EngineState state, const QString& reason);
    /// One second of metrics (also added to metricsHistory()).
    void metricsSampled(const app::MetricsSample& sample);
    /// The guest stopped; `status` is the session command's exit status (airlock-vmm's).
    void guestExited(int status);
    /// The session's shred report: the engine's own, or the app's when the engine could not send
    /// one ("abandoned": true, "cause": what happened).
    void shredReport(const QJsonObject& report);
    /// A dataset's manifest was computed: {name, digest, fileCount, totalBytes}.
    void datasetManifest(const QJsonObject& manifest);
    /// A dataset was checked against its manifest at the end: {name, changed, vanished, added}.
    void datasetVerified(const QJsonObject& verification);
    /// Something went wrong that the user should know; the message says what to do.
    void errorOccurred(const QString& message);
    /// One line airlock-vmm (or the KVM lab around it) wrote on its stdout or stderr: for a log
    /// view, never the console.
    void logLine(const QString& line);
    /// The engine listens for other VNC viewers on 127.0.0.1:`port`.
    void displayTcpPortChanged(int port);

private:
    Result<void> attachChannel(vmm::UniqueFd controlSocket, std::chrono::milliseconds helloTimeout);
    void moveTo(EngineState state, const QString& reason = {});
    void fail(const QString& reason);

    // EngineSessionEvents.cpp: what the engine says.
    void onConnected(std::shared_ptr<vmm::ControlClient> client);
    void onEvent(const vmm::Frame& frame);
    void onStateEvent(const vmm::Frame& frame);
    void onMetricsEvent(const vmm::Frame& frame);
    void onShredReportEvent(const vmm::Frame& frame);
    void onChannelClosed(const QString& reason);
    void onProcessFinished(int code, bool bySignal);
    void onOutputLine(const QString& line);
    void requestGuestMetrics();

    // EngineSessionEnd.cpp: how the session ends, reported or not.
    void finishIfDone();
    void shredAbandoned();
    QString abandonedCause() const;

    // EngineSessionCommands.cpp.
    QFuture<Result<void>> runCommand(std::function<Result<void>(vmm::ControlClient&)> command);
    QFuture<Result<void>> sendStop(bool force);
    QFuture<Result<void>> queueStop(bool force);
    void sendQueuedStop();
    void settleQueuedStop(Result<void> result);
    Result<std::shared_ptr<vmm::ControlClient>> connectedClient() const;

    EngineStateMachine m_state;
    std::unique_ptr<EngineChannel> m_channel;
    std::shared_ptr<vmm::ControlClient> m_client;
    std::unique_ptr<GuestAgent> m_metricsAgent;
    std::unique_ptr<GuestAgent> m_outboxAgent;
    EngineProcess* m_process = nullptr;
    QThreadPool m_commandPool; // one thread: commands and console input stay in order
    QTimer m_metricsTimer;
    QTimer m_stopTimer; // kills an engine that will not exit after losing its channel
    MetricsHistory m_history;
    std::optional<vmm::GuestMetrics> m_guestMetrics;
    QElapsedTimer m_guestMetricsAge;
    bool m_guestMetricsPending = false;
    int m_guestMetricsFailures = 0;
    int m_guestMetricsSkipped = 0;

    QString m_sessionDirectory;
    QByteArray m_datasetGrantKey; // wiped when the session object goes
    QSize m_displaySize;
    QByteArray m_displayPassword;
    int m_displayTcpPort = 0;
    bool m_runsInLab = false;
    bool m_begun = false;
    bool m_channelClosed = false;
    QString m_channelCloseReason;
    bool m_processEnded = false;
    int m_processCode = 0;
    bool m_processKilledBySignal = false;
    bool m_reportReceived = false;
    bool m_finishing = false;
    QString m_failure; // set when the channel broke: the reason the session failed
    // A stop asked for before the engine's hello: sent once it has said hello.
    std::shared_ptr<QPromise<Result<void>>> m_queuedStop;
    bool m_queuedStopForce = false;
};

} // namespace app

Q_DECLARE_METATYPE(app::EngineState)
