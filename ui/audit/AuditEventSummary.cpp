#include "AuditEventSummary.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonValue>
#include <QLocale>

namespace ui {

namespace {

QString tr(const char* text, const char* disambiguation = nullptr, int count = -1)
{
    return QCoreApplication::translate("ui::AuditEventSummary", text, disambiguation, count);
}

QString text(const QJsonObject& details, const char* key)
{
    return details.value(QLatin1String(key)).toVariant().toString();
}

qint64 number(const QJsonObject& details, const char* key)
{
    return details.value(QLatin1String(key)).toInteger();
}

QString shortDigest(const QString& digest)
{
    return digest.size() > 12 ? digest.left(12) + QChar(0x2026) : digest;
}

QString shredSummary(const QJsonObject& report)
{
    const QJsonArray items = report.value(QLatin1String("items")).toArray();
    qsizetype failed = 0;
    for (const QJsonValue& item : items) {
        if (!item.toObject().value(QLatin1String("succeeded")).toBool())
            ++failed;
    }
    QString summary = failed == 0 ? tr("every item destroyed and verified (%1)").arg(items.size())
                                  : tr("%1 of %2 items not verified").arg(failed).arg(items.size());
    if (report.value(QLatin1String("abandoned")).toBool())
        summary = tr("abandoned session, %1: %2").arg(summary, text(report, "cause"));
    return summary;
}

} // namespace

QString auditKindLabel(app::AuditEventKind kind)
{
    switch (kind) {
    case app::AuditEventKind::AppStarted:
        return tr("App started");
    case app::AuditEventKind::SessionCreated:
        return tr("Session created");
    case app::AuditEventKind::DatasetMounted:
        return tr("Dataset mounted");
    case app::AuditEventKind::DatasetVerified:
        return tr("Dataset verified");
    case app::AuditEventKind::SessionState:
        return tr("Session state");
    case app::AuditEventKind::SessionEnded:
        return tr("Session ended");
    case app::AuditEventKind::Export:
        return tr("Export");
    case app::AuditEventKind::ShredReport:
        return tr("Shred report");
    case app::AuditEventKind::EngineError:
        return tr("Engine error");
    case app::AuditEventKind::AuditVerified:
        return tr("Audit verified");
    case app::AuditEventKind::DatasetAdded:
        return tr("Dataset added");
    case app::AuditEventKind::Unknown:
        break;
    }
    return tr("Unknown");
}

QString auditEventSummary(const app::AuditEvent& event)
{
    const QJsonObject& details = event.details;
    const QLocale locale;
    switch (event.kind) {
    case app::AuditEventKind::AppStarted:
        return tr("Airlock %1").arg(text(details, "version"));
    case app::AuditEventKind::SessionCreated:
        return tr("\"%1\" for %2: %3 vCPU, %4 MiB")
            .arg(text(details, "name"), text(details, "purpose"))
            .arg(number(details, "vcpus"))
            .arg(number(details, "memoryMiB"));
    case app::AuditEventKind::DatasetMounted:
        return tr("%1 mounted: %2, file count %L3, digest %4")
            .arg(text(details, "dataset"), locale.formattedDataSize(number(details, "sizeBytes")))
            .arg(number(details, "fileCount"))
            .arg(shortDigest(text(details, "manifestSha256")));
    case app::AuditEventKind::DatasetAdded:
        return tr("%1 added to the running session from %2: %3, file count %L4")
            .arg(text(details, "dataset"), text(details, "hostPath"),
                locale.formattedDataSize(number(details, "sizeBytes")))
            .arg(number(details, "fileCount"));
    case app::AuditEventKind::DatasetVerified: {
        qint64 differences =
            number(details, "changed") + number(details, "vanished") + number(details, "added");
        return differences == 0 ? tr("%1 unchanged at unmount").arg(text(details, "dataset"))
                                : tr("%1 differs at unmount: %2 changed, %3 vanished, %4 added")
                                      .arg(text(details, "dataset"))
                                      .arg(number(details, "changed"))
                                      .arg(number(details, "vanished"))
                                      .arg(number(details, "added"));
    }
    case app::AuditEventKind::SessionState:
        return text(details, "state");
    case app::AuditEventKind::SessionEnded:
        return details.contains(QLatin1String("exitStatus"))
            ? tr("%1 (exit status %2)")
                  .arg(text(details, "reason"))
                  .arg(number(details, "exitStatus"))
            : text(details, "reason");
    case app::AuditEventKind::Export:
        return tr("%1 → %2 (%3, SHA-256 %4)")
            .arg(text(details, "outboxPath"), text(details, "destinationPath"),
                locale.formattedDataSize(number(details, "sizeBytes")),
                shortDigest(text(details, "sha256")));
    case app::AuditEventKind::ShredReport:
        return shredSummary(details);
    case app::AuditEventKind::EngineError:
        return text(details, "message");
    case app::AuditEventKind::AuditVerified:
        return details.value(QLatin1String("intact")).toBool()
            ? tr("intact, rows checked: %L1").arg(number(details, "rowsChecked"))
            : tr("broken: %1").arg(text(details, "problem"));
    case app::AuditEventKind::Unknown:
        break;
    }
    return tr("(a kind of event this version does not know)");
}

} // namespace ui
