#include "audit/AuditEvent.h"

#include <array>
#include <utility>

namespace app {

namespace {

// The spellings are part of the stored, hashed data: never rename one.
constexpr std::array<std::pair<AuditEventKind, const char*>, 11> kKindNames {{
    {AuditEventKind::AppStarted, "app-started"},
    {AuditEventKind::SessionCreated, "session-created"},
    {AuditEventKind::DatasetMounted, "dataset-mounted"},
    {AuditEventKind::DatasetVerified, "dataset-verified"},
    {AuditEventKind::SessionState, "session-state"},
    {AuditEventKind::SessionEnded, "session-ended"},
    {AuditEventKind::Export, "export"},
    {AuditEventKind::ShredReport, "shred-report"},
    {AuditEventKind::EngineError, "engine-error"},
    {AuditEventKind::AuditVerified, "audit-verified"},
    {AuditEventKind::DatasetAdded, "dataset-added"},
}};

} // namespace

QString kindName(AuditEventKind kind)
{
    for (const auto& [known, name] : kKindNames) {
        if (known == kind)
            return QString::fromLatin1(name);
    }
    return QStringLiteral("unknown");
}

AuditEventKind kindFromName(const QString& name)
{
    for (const auto& [known, spelling] : kKindNames) {
        if (name == QLatin1String(spelling))
            return known;
    }
    return AuditEventKind::Unknown;
}

QList<AuditEventKind> allAuditEventKinds()
{
    QList<AuditEventKind> kinds;
    for (const auto& entry : kKindNames)
        kinds.append(entry.first);
    return kinds;
}

QString auditTimeText(const QDateTime& time)
{
    return time.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz")) + QLatin1Char('Z');
}

QDateTime auditTimeFromText(const QString& text)
{
    QDateTime time = QDateTime::fromString(text, QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz'Z'"));
    if (!time.isValid())
        return {};
    time.setTimeSpec(Qt::UTC); // the text is UTC by construction; fromString() read it as local
    return time;
}

} // namespace app
