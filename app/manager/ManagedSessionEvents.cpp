// ManagedSession: what its engine reports, recorded in the audit trail as metadata only (names,
// counts, digests, states). Console output is never recorded. The engine is treated as hostile:
// a manifest for a dataset this session did not ask for is ignored.

#include "ManagedSession.h"
#include "audit/AuditEvents.h"

#include <QJsonArray>

namespace app {

void ManagedSession::connectEngine()
{
    connect(m_engine, &EngineSession::stateChanged, this, &ManagedSession::onEngineState);
    connect(
        m_engine, &EngineSession::guestExited, this, [this](int status) { m_exitStatus = status; });
    connect(m_engine, &EngineSession::datasetManifest, this, &ManagedSession::onDatasetManifest);
    connect(m_engine, &EngineSession::datasetVerified, this, &ManagedSession::onDatasetVerified);
    connect(m_engine, &EngineSession::shredReport, this, &ManagedSession::onShredReport);
    connect(m_engine, &EngineSession::errorOccurred, this,
        [this](const QString& message) { m_record(AuditEvents::engineError(m_id, message)); });
}

void ManagedSession::onDatasetManifest(const QJsonObject& manifest)
{
    QString name = manifest.value(QStringLiteral("name")).toString();
    for (DatasetSource& dataset : m_datasets) {
        if (dataset.name != name)
            continue;
        if (!dataset.manifestDigest.isEmpty())
            return; // mounted once; a second manifest changes nothing that was recorded
        dataset.manifestDigest = manifest.value(QStringLiteral("digest")).toString();
        m_record(AuditEvents::datasetMounted(m_id, dataset.name, dataset.hostPath,
            manifest.value(QStringLiteral("totalBytes")).toInteger(),
            manifest.value(QStringLiteral("fileCount")).toInteger(), dataset.manifestDigest));
        emit datasetsChanged();
        return;
    }
    if (m_pendingDatasetNames.contains(name)) {
        m_earlyManifests.append(manifest); // its add's reply is still on the way
        return;
    }
    qWarning("airlock: session %s: the engine reported a manifest for a dataset it was not given",
        qUtf8Printable(m_id));
}

void ManagedSession::onDatasetVerified(const QJsonObject& verification)
{
    QString name = verification.value(QStringLiteral("name")).toString();
    auto count = [&](const char* key) {
        return static_cast<qint64>(verification.value(QLatin1String(key)).toArray().size());
    };
    qint64 changed = count("changed");
    qint64 vanished = count("vanished");
    qint64 added = count("added");
    for (const DatasetSource& dataset : std::as_const(m_datasets)) {
        if (dataset.name != name)
            continue;
        // The engine checks every file against the mount manifest: when none differs the
        // digest at unmount is the digest at mount; otherwise it is unknown (left empty).
        QString digest =
            changed == 0 && vanished == 0 && added == 0 ? dataset.manifestDigest : QString();
        m_record(AuditEvents::datasetVerified(m_id, name, digest, changed, vanished, added));
        return;
    }
}

void ManagedSession::onShredReport(const QJsonObject& report)
{
    if (m_shredReport)
        return; // one report per session
    m_shredReport = report;
    m_record(AuditEvents::shredReport(m_id, report));
    emit shredReportReady(report);
}

} // namespace app
