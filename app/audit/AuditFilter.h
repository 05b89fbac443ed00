#pragma once

#include "audit/AuditEvent.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace app {

/// Which events AuditStore::events() returns; every empty or invalid field matches everything,
/// and the fields that are set must all match.
struct AuditFilter {
    /// Only this session's events.
    QString sessionId;
    /// Only events about the dataset of this name (dataset-mounted, dataset-verified).
    QString dataset;
    /// Only events of this account.
    QString user;
    /// Only events at or after this time.
    QDateTime from;
    /// Only events before this time.
    QDateTime until;
    /// Only events of these kinds.
    QList<AuditEventKind> kinds;
};

} // namespace app
