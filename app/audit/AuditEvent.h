#pragma once

#include <optional>

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace app {

/// What an audit event records. The text spelling (kindName()) is stored in the database and
/// covered by each row's hash, so it never changes once released.
enum class AuditEventKind {
    AppStarted, ///< app-started: {version}
    SessionCreated, ///< session-created: {name, purpose, command, vcpus, memoryMiB,
                    ///< lifetimeSeconds}
    DatasetMounted, ///< dataset-mounted: {dataset, hostPath, sizeBytes, fileCount, manifestSha256}
    DatasetVerified, ///< dataset-verified: {dataset, digestAtUnmount, changed, vanished, added}
    SessionState, ///< session-state: {state}
    SessionEnded, ///< session-ended: {exitStatus (absent if none), reason}
    Export, ///< export: {outboxPath, destinationPath, sizeBytes, sha256}
    ShredReport, ///< shred-report: the engine's JSON report, verbatim
    EngineError, ///< engine-error: {message}
    AuditVerified, ///< audit-verified: {intact, rowsChecked, firstBrokenRow, problem}
    DatasetAdded, ///< dataset-added: {dataset, hostPath, sizeBytes, fileCount} (to a running
                  ///< session; dataset-mounted with its digest follows once hashed)
    Unknown, ///< a stored spelling this build does not know (read only; never appended)
};

/// The stable text spelling of `kind` ("session-created"...).
QString kindName(AuditEventKind kind);

/// The kind spelled `name`, or AuditEventKind::Unknown.
AuditEventKind kindFromName(const QString& name);

/// Every kind that can be appended, in declaration order (for filters and menus).
QList<AuditEventKind> allAuditEventKinds();

/// One row of the audit trail: who did what, when, on which host and in which session.
///
/// What is recorded is metadata only: names, sizes, counts, digests, states, reasons. An event
/// never holds patient data: never console text, never file contents, never the text of a preview.
/// Callers build events with the functions in AuditEvents.h, which only take such metadata.
struct AuditEvent {
    /// Row number, 1 for the first row; 0 until the store appended the event.
    qint64 id = 0;
    /// When it happened (UTC, millisecond precision); the store stamps the time of the append
    /// when this is invalid.
    QDateTime time;
    /// The operating-system account that acted; the store fills in the current one when empty.
    QString user;
    /// The computer it happened on; the store fills in this host's name when empty.
    QString host;
    /// The session it concerns; empty for app-level events.
    QString sessionId;
    /// What happened.
    AuditEventKind kind = AuditEventKind::AppStarted;
    /// The particulars of this kind (see AuditEventKind), as a JSON object.
    QJsonObject details;
    /// The previous row's hash (64 zeroes for the first row), as lowercase hex; set by the store.
    QString previousHash;
    /// SHA-256 of this row (AuditRowHash), as lowercase hex; set by the store.
    QString hash;
};

/// The stored text of an audit time: ISO 8601 in UTC with milliseconds, "2024-05-01T09:30:00.250Z".
/// Every row uses this one form, so that text order is time order.
QString auditTimeText(const QDateTime& time);

/// The time stored as `text`, or an invalid QDateTime when it is not in the auditTimeText() form.
QDateTime auditTimeFromText(const QString& text);

} // namespace app
