#pragma once

#include "AppResult.h"
#include "audit/AuditEvent.h"
#include "engine/EngineSession.h"
#include "session/SessionRequest.h"

#include <chrono>
#include <functional>
#include <optional>

#include <QDateTime>
#include <QFuture>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

namespace app {

/// One session as the UI sees it: what the user asked for, its engine (console, metrics, state,
/// outbox), its datasets with their manifest digests, and how it ended. Created by
/// SessionManager, which records everything that happens to it in the audit trail.
class ManagedSession : public QObject {
    Q_OBJECT
public:
    /// The session's id in the audit trail (a UUID without braces).
    QString id() const;
    /// What the user asked for.
    const SessionRequest& request() const;
    /// The engine: console in/out, metrics history, state, pause/resume.
    EngineSession& engine();
    /// When it was started.
    QDateTime startedAt() const;
    /// When its maximum lifetime runs out.
    QDateTime deadline() const;
    /// The datasets, manifestDigest filled in once the engine reported it.
    QList<DatasetSource> datasets() const;

    /// Adds `sources` (inspected by DatasetInspection) to the running session, each read-only at
    /// /datasets/<name> without a restart; a name already used (or being added) gets a "-2"
    /// suffix. Each one is recorded and listed once the guest has it (datasetAdded), or reported
    /// with the reason (datasetAddFailed); nothing is listed for a failure.
    void addDatasets(const QList<DatasetSource>& sources);
    /// Lists /outbox (and remembers the listing for unexportedOutboxFiles()).
    QFuture<Result<QList<OutboxFile>>> listOutbox();
    /// Copies /outbox/`name` to `destination` (hash checked) and records the export.
    QFuture<Result<OutboxExport>> exportOutboxFile(const QString& name, const QString& destination);
    /// Files of the last listing that were never exported (asked about before closing).
    QStringList unexportedOutboxFiles() const;

    /// Stops the VM (cleanly through the agent unless `force`) and shreds; shredReportReady()
    /// follows, then ended().
    QFuture<Result<void>> close(bool force = false);
    /// Whether the session is over (Ended or Failed) and shredded.
    bool isEnded() const;
    /// The shred report, once there is one (the engine's, or the app's for an engine that died).
    std::optional<QJsonObject> shredReport() const;
    /// The guest command's exit status, once the guest reported one.
    std::optional<int> exitStatus() const { return m_exitStatus; }
    /// Why the session ended ("" while it runs).
    QString endReason() const { return m_endReason; }

signals:
    /// A dataset's digest arrived (or anything else in datasets() changed).
    void datasetsChanged();
    /// `dataset` was added to the running session and is mounted in the guest after `mountMs`.
    void datasetAdded(const app::DatasetSource& dataset, qint64 mountMs);
    /// Adding the dataset `name` failed; `message` says why and what to do.
    void datasetAddFailed(const QString& name, const QString& message);
    /// The shred report arrived and was recorded.
    void shredReportReady(const QJsonObject& report);
    /// The session is over; `reason` says how (exit status, lifetime, crash).
    void ended(const QString& reason);
    /// Something the user must know that is not a state: chiefly that the audit trail could not
    /// be written. The message says what to do.
    void errorOccurred(const QString& message);

protected:
    explicit ManagedSession(QObject* parent)
        : QObject(parent)
    {
    }

private:
    friend class SessionManager;

    /// How the session is closed: the reason recorded when it ends.
    enum class CloseCause { None, User, Lifetime, Quit };

    // ManagedSession.cpp: set up by SessionManager::startSession().
    void setUp(const QString& id, const SessionRequest& request, std::chrono::milliseconds lifetime,
        std::chrono::milliseconds forceDelay, std::function<void(AuditEvent)> record);
    QFuture<Result<void>> closeFor(CloseCause cause, bool force);
    void onLifetimeOver();
    void onEngineState(EngineState state, const QString& reason);
    void finish();
    QString composeEndReason() const;
    // ManagedSessionEvents.cpp: what the engine reports, turned into audit events.
    void connectEngine();
    void onDatasetManifest(const QJsonObject& manifest);
    void onDatasetVerified(const QJsonObject& verification);
    void onShredReport(const QJsonObject& report);

    QString m_id;
    SessionRequest m_request;
    EngineSession* m_engine = nullptr;
    QDateTime m_startedAt;
    QDateTime m_deadline;
    QList<DatasetSource> m_datasets;
    QStringList m_pendingDatasetNames; // being added
    QList<QJsonObject> m_earlyManifests; // for a dataset being added, come before its reply
    QList<OutboxFile> m_lastListing;
    QSet<QString> m_exported;
    std::optional<QJsonObject> m_shredReport;
    std::optional<int> m_exitStatus;
    QString m_endReason;
    bool m_ended = false;
    CloseCause m_closeCause = CloseCause::None;
    QTimer m_lifetimeTimer;
    QTimer m_forceTimer;
    std::function<void(AuditEvent)> m_record;
};

} // namespace app
