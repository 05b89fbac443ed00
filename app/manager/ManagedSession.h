#pragma once

#include "AppResult.h"
#include "engine/EngineSession.h"
#include "session/SessionRequest.h"

#include <QDateTime>
#include <QFuture>
#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <optional>

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

signals:
    /// A dataset's digest arrived (or anything else in datasets() changed).
    void datasetsChanged();
    /// The shred report arrived and was recorded.
    void shredReportReady(const QJsonObject& report);
    /// The session is over; `reason` says how (exit status, lifetime, crash).
    void ended(const QString& reason);

protected:
    explicit ManagedSession(QObject* parent) : QObject(parent) { }
};

} // namespace app
