#include "audit/AuditSessionSummary.h"

#include "audit/AuditEvent.h"

#include <QHash>
#include <QJsonValue>

namespace app {

QList<AuditSessionSummary> AuditSessionSummary::summarize(const QList<AuditEvent>& events)
{
    QList<AuditSessionSummary> sessions;
    QHash<QString, qsizetype> indexOf;
    for (const AuditEvent& event : events) {
        if (event.sessionId.isEmpty())
            continue;
        auto found = indexOf.constFind(event.sessionId);
        if (found == indexOf.constEnd()) {
            AuditSessionSummary fresh;
            fresh.sessionId = event.sessionId;
            fresh.user = event.user;
            fresh.host = event.host;
            fresh.started = event.time;
            found = indexOf.insert(event.sessionId, sessions.size());
            sessions.append(fresh);
        }
        AuditSessionSummary& session = sessions[*found];
        ++session.eventCount;
        const QJsonObject& details = event.details;
        switch (event.kind) {
        case AuditEventKind::SessionCreated:
            session.name = details.value(QLatin1String("name")).toString();
            session.purpose = details.value(QLatin1String("purpose")).toString();
            session.user = event.user;
            break;
        case AuditEventKind::DatasetMounted: {
            QString dataset = details.value(QLatin1String("dataset")).toString();
            if (!session.datasets.contains(dataset))
                session.datasets.append(dataset);
            break;
        }
        case AuditEventKind::SessionState:
            session.lastState = details.value(QLatin1String("state")).toString();
            break;
        case AuditEventKind::SessionEnded:
            session.ended = event.time;
            if (details.contains(QLatin1String("exitStatus")))
                session.exitStatus = details.value(QLatin1String("exitStatus")).toInt();
            session.endReason = details.value(QLatin1String("reason")).toString();
            break;
        case AuditEventKind::Export:
            ++session.exportCount;
            break;
        case AuditEventKind::ShredReport:
            session.shredded = true;
            break;
        default:
            break;
        }
    }
    return sessions;
}

} // namespace app
