#include "audit/AuditEvents.h"

#include "audit/AuditVerification.h"

#include <QJsonValue>

namespace app::AuditEvents {

namespace {

AuditEvent event(AuditEventKind kind, const QString& sessionId, QJsonObject details)
{
    AuditEvent result;
    result.kind = kind;
    result.sessionId = sessionId;
    result.details = std::move(details);
    return result;
}

} // namespace

AuditEvent appStarted(const QString& version)
{
    return event(AuditEventKind::AppStarted, {}, {{QStringLiteral("version"), version}});
}

AuditEvent sessionCreated(const QString& sessionId, const QString& name, const QString& purpose,
    const QString& command, int vcpus, qint64 memoryMiB, qint64 lifetimeSeconds,
    const std::optional<SessionDisplayFacts>& display)
{
    QJsonObject details {
        {QStringLiteral("name"), name},
        {QStringLiteral("purpose"), purpose},
        {QStringLiteral("command"), command},
        {QStringLiteral("vcpus"), vcpus},
        {QStringLiteral("memoryMiB"), memoryMiB},
        {QStringLiteral("lifetimeSeconds"), lifetimeSeconds},
    };
    if (display)
        details.insert(QStringLiteral("display"),
            QJsonObject {
                {QStringLiteral("width"), display->width},
                {QStringLiteral("height"), display->height},
                {QStringLiteral("mainView"), display->mainView},
                {QStringLiteral("externalViewers"), display->externalViewers},
            });
    return event(AuditEventKind::SessionCreated, sessionId, details);
}

AuditEvent datasetMounted(const QString& sessionId, const QString& dataset, const QString& hostPath,
    qint64 sizeBytes, qint64 fileCount, const QString& manifestSha256)
{
    return event(AuditEventKind::DatasetMounted, sessionId,
        {
            {QStringLiteral("dataset"), dataset},
            {QStringLiteral("hostPath"), hostPath},
            {QStringLiteral("sizeBytes"), sizeBytes},
            {QStringLiteral("fileCount"), fileCount},
            {QStringLiteral("manifestSha256"), manifestSha256},
        });
}

AuditEvent datasetAdded(const QString& sessionId, const QString& dataset, const QString& hostPath,
    qint64 sizeBytes, qint64 fileCount)
{
    return event(AuditEventKind::DatasetAdded, sessionId,
        {
            {QStringLiteral("dataset"), dataset},
            {QStringLiteral("hostPath"), hostPath},
            {QStringLiteral("sizeBytes"), sizeBytes},
            {QStringLiteral("fileCount"), fileCount},
        });
}

AuditEvent datasetVerified(const QString& sessionId, const QString& dataset,
    const QString& digestAtUnmount, qint64 changed, qint64 vanished, qint64 added)
{
    return event(AuditEventKind::DatasetVerified, sessionId,
        {
            {QStringLiteral("dataset"), dataset},
            {QStringLiteral("digestAtUnmount"), digestAtUnmount},
            {QStringLiteral("changed"), changed},
            {QStringLiteral("vanished"), vanished},
            {QStringLiteral("added"), added},
        });
}

AuditEvent sessionState(const QString& sessionId, const QString& state)
{
    return event(AuditEventKind::SessionState, sessionId, {{QStringLiteral("state"), state}});
}

AuditEvent sessionEnded(
    const QString& sessionId, std::optional<int> exitStatus, const QString& reason)
{
    QJsonObject details {{QStringLiteral("reason"), reason}};
    if (exitStatus)
        details.insert(QStringLiteral("exitStatus"), *exitStatus);
    return event(AuditEventKind::SessionEnded, sessionId, details);
}

AuditEvent exported(const QString& sessionId, const QString& outboxPath,
    const QString& destinationPath, qint64 sizeBytes, const QString& sha256)
{
    return event(AuditEventKind::Export, sessionId,
        {
            {QStringLiteral("outboxPath"), outboxPath},
            {QStringLiteral("destinationPath"), destinationPath},
            {QStringLiteral("sizeBytes"), sizeBytes},
            {QStringLiteral("sha256"), sha256},
        });
}

AuditEvent shredReport(const QString& sessionId, const QJsonObject& report)
{
    return event(AuditEventKind::ShredReport, sessionId, report);
}

AuditEvent engineError(const QString& sessionId, const QString& message)
{
    return event(AuditEventKind::EngineError, sessionId, {{QStringLiteral("message"), message}});
}

AuditEvent auditVerified(const AuditVerification& verification)
{
    QJsonObject details {
        {QStringLiteral("intact"), verification.intact},
        {QStringLiteral("rowsChecked"), verification.rowsChecked},
        {QStringLiteral("problem"), verification.problem},
    };
    if (verification.firstBrokenRow)
        details.insert(QStringLiteral("firstBrokenRow"), *verification.firstBrokenRow);
    return event(AuditEventKind::AuditVerified, {}, details);
}

} // namespace app::AuditEvents
