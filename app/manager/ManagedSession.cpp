// ManagedSession: its life as the user sees it. Set up by SessionManager, ended by the engine's
// final state (after its shred report), closed by the user, by quitting, or by its lifetime.

#include "ManagedSession.h"

#include "audit/AuditEvents.h"
#include "session/DatasetInspector.h"

namespace app {

QString ManagedSession::id() const
{
    return m_id;
}

const SessionRequest& ManagedSession::request() const
{
    return m_request;
}

EngineSession& ManagedSession::engine()
{
    return *m_engine;
}

QDateTime ManagedSession::startedAt() const
{
    return m_startedAt;
}

QDateTime ManagedSession::deadline() const
{
    return m_deadline;
}

QList<DatasetSource> ManagedSession::datasets() const
{
    return m_datasets;
}

void ManagedSession::addDatasets(const QList<DatasetSource>& sources)
{
    for (DatasetSource source : sources) {
        source.name = DatasetInspector::uniqueName(
            source.name, datasetNames(m_datasets) + m_pendingDatasetNames);
        source.manifestDigest.clear(); // the engine's manifest event fills it in
        m_pendingDatasetNames.append(source.name);
        m_engine->addDataset(source.name, source.hostPath)
            .then(this, [this, source](Result<DatasetAddition> added) {
                m_pendingDatasetNames.removeOne(source.name);
                if (!added) {
                    m_earlyManifests.removeIf([&](const QJsonObject& manifest) {
                        return manifest.value(QStringLiteral("name")).toString() == source.name;
                    });
                    emit datasetAddFailed(source.name, added.error().message);
                    return;
                }
                DatasetSource mounted = source;
                mounted.fileCount = added->fileCount;
                mounted.folderCount = added->folderCount;
                mounted.totalBytes = added->totalBytes;
                m_datasets.append(mounted);
                m_record(AuditEvents::datasetAdded(
                    m_id, mounted.name, mounted.hostPath, mounted.totalBytes, mounted.fileCount));
                emit datasetAdded(mounted, added->mountMs);
                emit datasetsChanged();
                for (qsizetype i = 0; i < m_earlyManifests.size(); ++i) {
                    if (m_earlyManifests[i].value(QStringLiteral("name")).toString() == mounted.name) {
                        onDatasetManifest(m_earlyManifests.takeAt(i));
                        break;
                    }
                }
            });
    }
}

bool ManagedSession::isEnded() const
{
    return m_ended;
}

std::optional<QJsonObject> ManagedSession::shredReport() const
{
    return m_shredReport;
}

void ManagedSession::setUp(const QString& id, const SessionRequest& request,
    std::chrono::milliseconds lifetime, std::chrono::milliseconds forceDelay,
    std::function<void(AuditEvent)> record)
{
    m_id = id;
    m_request = request;
    m_datasets = request.datasets;
    for (DatasetSource& dataset : m_datasets)
        dataset.manifestDigest.clear(); // only the engine's manifest is believed
    m_record = std::move(record);
    m_startedAt = QDateTime::currentDateTimeUtc();
    m_deadline = m_startedAt.addMSecs(lifetime.count());
    m_engine = new EngineSession(this);
    connectEngine();

    m_lifetimeTimer.setSingleShot(true);
    m_lifetimeTimer.setTimerType(Qt::VeryCoarseTimer);
    m_lifetimeTimer.setInterval(lifetime);
    connect(&m_lifetimeTimer, &QTimer::timeout, this, &ManagedSession::onLifetimeOver);
    m_lifetimeTimer.start();

    m_forceTimer.setSingleShot(true);
    m_forceTimer.setInterval(forceDelay);
    connect(&m_forceTimer, &QTimer::timeout, this, [this] {
        if (m_ended)
            return;
        qWarning("airlock: session %s did not stop cleanly in time; stopping it by force",
            qUtf8Printable(m_id));
        m_engine->stop(true);
    });
}

QFuture<Result<QList<OutboxFile>>> ManagedSession::listOutbox()
{
    return m_engine->listOutbox().then(this, [this](Result<QList<OutboxFile>> listing) {
        if (listing)
            m_lastListing = *listing;
        return listing;
    });
}

QFuture<Result<OutboxExport>> ManagedSession::exportOutboxFile(
    const QString& name, const QString& destination)
{
    return m_engine->fetchOutboxFile(name, destination)
        .then(this, [this, name](Result<OutboxExport> exported) {
            if (exported) {
                m_exported.insert(name);
                m_record(AuditEvents::exported(m_id, name, exported->destination,
                    static_cast<qint64>(exported->size), exported->sha256));
            }
            return exported;
        });
}

QStringList ManagedSession::unexportedOutboxFiles() const
{
    QStringList names;
    for (const OutboxFile& file : m_lastListing) {
        if (!m_exported.contains(file.path))
            names.append(file.path);
    }
    return names;
}

QFuture<Result<void>> ManagedSession::close(bool force)
{
    return closeFor(CloseCause::User, force);
}

QFuture<Result<void>> ManagedSession::closeFor(CloseCause cause, bool force)
{
    if (m_ended)
        return QtFuture::makeReadyFuture(Result<void> {});
    if (m_closeCause == CloseCause::None)
        m_closeCause = cause;
    // A guest that ignores the clean shutdown is stopped anyway: nothing outlives its close.
    if (!force && !m_forceTimer.isActive())
        m_forceTimer.start();
    return m_engine->stop(force).then(this, [this, force](Result<void> stopped) {
        if (!stopped && !force && !m_ended) {
            // The agent could not be asked (not up yet, or gone): stop the VM directly.
            m_forceTimer.stop();
            m_engine->stop(true);
            return Result<void> {};
        }
        return stopped;
    });
}

void ManagedSession::onLifetimeOver()
{
    if (m_ended)
        return;
    emit errorOccurred(tr("The session “%1” reached its maximum lifetime, so Airlock is closing "
                          "and shredding it. Give a session a longer lifetime when you start it "
                          "if you need more time.")
                           .arg(m_request.name));
    closeFor(CloseCause::Lifetime, false);
}

void ManagedSession::onEngineState(EngineState state, const QString& reason)
{
    m_record(AuditEvents::sessionState(m_id, engineStateName(state).toLower()));
    if (state == EngineState::Failed)
        m_record(AuditEvents::engineError(m_id, reason));
    if (isFinalState(state))
        finish();
}

void ManagedSession::finish()
{
    if (m_ended)
        return;
    m_ended = true;
    m_lifetimeTimer.stop();
    m_forceTimer.stop();
    m_endReason = composeEndReason();
    m_record(AuditEvents::sessionEnded(m_id, m_exitStatus, m_endReason));
    emit ended(m_endReason);
}

QString ManagedSession::composeEndReason() const
{
    QString cause;
    switch (m_closeCause) {
    case CloseCause::Lifetime:
        cause = tr("The session reached its maximum lifetime of %n minute(s) and was closed.",
            nullptr, m_request.lifetimeMinutes);
        break;
    case CloseCause::User:
        cause = tr("The session was closed.");
        break;
    case CloseCause::Quit:
        cause = tr("Airlock was quit, so it closed the session.");
        break;
    case CloseCause::None:
        break;
    }
    QString status =
        m_exitStatus ? tr("The command's exit status was %1.").arg(*m_exitStatus) : QString();
    if (m_engine->state() == EngineState::Failed)
        return QStringList {cause, m_engine->stateReason(), status}
            .join(QLatin1Char(' '))
            .trimmed();
    if (!cause.isEmpty())
        return QStringList {cause, status}.join(QLatin1Char(' ')).trimmed();
    return m_exitStatus ? tr("The command exited with status %1.").arg(*m_exitStatus)
                        : tr("The guest stopped.");
}

} // namespace app
