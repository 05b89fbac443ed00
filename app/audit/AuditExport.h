#pragma once

#include "AppResult.h"
#include "audit/AuditEvent.h"
#include "audit/AuditSessionSummary.h"
#include "audit/AuditVerification.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace app {

/// The audit trail in forms an auditor takes away: CSV of any filtered list of events, and a
/// session's record as an HTML document (for QTextDocument: printing, PDF with AuditPdf).
namespace AuditExport {

/// `events` as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or line
/// break, quotes doubled), UTF-8, with a header row: id, time, user, host, session, kind,
/// details (compact JSON), previous_hash, hash. A text field that a spreadsheet would run as a
/// formula (starting with = + - @) gets a leading apostrophe.
QByteArray toCsv(const QList<AuditEvent>& events);

/// Writes toCsv(events) to `path` atomically (the file appears whole or not at all).
Result<void> writeCsv(const QList<AuditEvent>& events, const QString& path);

/// A printable record of one session: its summary, every event in order with the hashes of the
/// datasets, exports and the shred report, and the verdict of the chain check at export time.
QString sessionRecordHtml(const AuditSessionSummary& session, const QList<AuditEvent>& events,
    const AuditVerification& verification);

} // namespace AuditExport

} // namespace app
