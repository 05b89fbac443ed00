#pragma once

#include <optional>

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace app {

struct AuditEvent;

/// One session as the audit trail tells it: for the audit view's session list and for reports.
struct AuditSessionSummary {
    /// The session id.
    QString sessionId;
    /// The name given at creation.
    QString name;
    /// The purpose of use given at creation.
    QString purpose;
    /// Who created it.
    QString user;
    /// Where it ran.
    QString host;
    /// Its first event.
    QDateTime started;
    /// Its session-ended event; invalid while it has none.
    QDateTime ended;
    /// The last session-state recorded ("running", "stopped"...).
    QString lastState;
    /// The exit status recorded at its end, if any.
    std::optional<int> exitStatus;
    /// Why it ended, as recorded.
    QString endReason;
    /// The names of the datasets mounted, in mount order.
    QStringList datasets;
    /// How many files were exported.
    int exportCount = 0;
    /// Whether a shred report was recorded.
    bool shredded = false;
    /// How many events it has.
    qint64 eventCount = 0;

    /// The sessions in `events` (app-level events skipped), in order of their first event.
    static QList<AuditSessionSummary> summarize(const QList<AuditEvent>& events);
};

} // namespace app
