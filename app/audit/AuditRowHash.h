#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace app {

/// A row's hashed fields exactly as stored: text, never re-serialized, so that verifying does
/// not depend on how this Qt version formats JSON or times.
struct AuditRowFields {
    /// The previous row's hash as 64 lowercase hex digits (64 zeroes for row 1).
    QString previousHash;
    /// The row number.
    qint64 id = 0;
    /// The time as auditTimeText().
    QString time;
    /// The acting account.
    QString user;
    /// The host name (not covered by format 1).
    QString host;
    /// The session id, empty for app-level events.
    QString sessionId;
    /// The kind's spelling (kindName()).
    QString kind;
    /// The details as stored: canonical compact JSON (canonicalDetails()).
    QByteArray details;
};

/// The row hash of the audit chain. The encoding is fixed per format so that a trail written
/// today verifies forever, by this code or by an auditor's own script:
///
///   SHA-256 over field(tag) field(previousHash) field(id) field(time) field(user) [field(host)]
///   field(sessionId) field(kind) field(details)
///
/// where field(x) is the UTF-8 bytes of x preceded by their length as an unsigned 64-bit
/// big-endian integer (so no two different rows encode alike), id is written in decimal, tag is
/// "airlock-audit-row/1" or "airlock-audit-row/2", and host is present in format 2 only (format 1
/// is schema version 1, which had no host column).
namespace AuditRowHash {

/// The format new rows are written in.
inline constexpr int kCurrentFormat = 2;

/// Whether `format` is one this build can verify.
bool isKnownFormat(int format);

/// The bytes that are hashed for `fields` in `format` (see above).
QByteArray encode(int format, const AuditRowFields& fields);

/// SHA-256 of encode(format, fields) as 64 lowercase hex digits.
QString hash(int format, const AuditRowFields& fields);

/// The previous hash of row 1: 64 zeroes.
QString genesis();

/// `details` as canonical compact JSON: no white space, keys sorted (QJsonObject keeps them so).
QByteArray canonicalDetails(const QJsonObject& details);

} // namespace AuditRowHash

} // namespace app
