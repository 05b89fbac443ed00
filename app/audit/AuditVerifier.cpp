#include "audit/AuditVerifier.h"

#include "audit/AuditRowHash.h"
#include "audit/AuditSql.h"
#include "audit/AuditTransaction.h"

#include <utility>

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace app::AuditVerifier {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("app::AuditVerifier", text);
}

// Appended to every finding: what the user does about a broken trail.
QString advice()
{
    return tr("Keep this file unchanged as evidence and tell your auditor.");
}

AuditVerification broken(qint64 rowsChecked, std::optional<qint64> row, const QString& problem)
{
    return AuditVerification {false, rowsChecked, row, problem + QLatin1Char(' ') + advice()};
}

AuditVerification unreadable(qint64 rowsChecked, const QString& detail)
{
    return broken(rowsChecked, std::nullopt,
        tr("The audit trail could not be read to the end (%1).").arg(detail));
}

// Whether the file itself is sound, before its rows are trusted to mean anything.
std::optional<QString> integrityProblem(const QSqlDatabase& database)
{
    QSqlQuery query(database);
    if (!query.exec(QStringLiteral("PRAGMA integrity_check")))
        return AuditSql::errorText(query);
    QStringList findings;
    while (query.next())
        findings << query.value(0).toString();
    if (findings == QStringList {QStringLiteral("ok")})
        return std::nullopt;
    return findings.mid(0, 3).join(QLatin1String("; "));
}

struct Head {
    bool present = false;
    qint64 lastId = 0;
    QString lastHash;
};

// The chain head compared with the last row actually found (0 and genesis when none).
AuditVerification checkHead(const Head& head, qint64 rows, qint64 lastId, const QString& lastHash)
{
    if (!head.present) {
        if (lastId == 0)
            return AuditVerification {true, rows, std::nullopt, {}};
        return broken(rows, std::nullopt,
            tr("The record of the trail's last row (its chain head) was removed, so rows cut off "
               "the end cannot be ruled out."));
    }
    if (head.lastId > lastId) {
        return broken(rows, lastId + 1,
            tr("Rows %1 to %2 were deleted: the trail ends at row %3 but was written up to row "
               "%2.")
                .arg(lastId + 1)
                .arg(head.lastId)
                .arg(lastId));
    }
    if (head.lastId < lastId) {
        return broken(rows, head.lastId + 1,
            tr("Row %1 was added outside Airlock: the trail was written up to row %2 only.")
                .arg(head.lastId + 1)
                .arg(head.lastId));
    }
    if (head.lastHash != lastHash) {
        return broken(rows, lastId,
            tr("Row %1 was changed or replaced: Airlock recorded another hash for it.")
                .arg(lastId));
    }
    return AuditVerification {true, rows, std::nullopt, {}};
}

// verify() within one read snapshot.
AuditVerification verifySnapshot(const QSqlDatabase& database)
{
    if (auto problem = integrityProblem(database)) {
        return broken(0, std::nullopt,
            tr("The audit file is damaged (SQLite integrity check: %1).").arg(*problem));
    }

    Head head;
    {
        QSqlQuery query(database);
        if (!query.exec(
                QStringLiteral("SELECT last_id, last_hash FROM chain_head WHERE singleton = 1")))
            return unreadable(0, AuditSql::errorText(query));
        if (query.next())
            head = Head {true, query.value(0).toLongLong(), query.value(1).toString()};
    }

    QSqlQuery query(database);
    query.setForwardOnly(true);
    if (!query.exec(
            QStringLiteral("SELECT id, time, user_name, host_name, session_id, kind, "
                           "details, hash_format, prev_hash, hash FROM events ORDER BY id")))
        return unreadable(0, AuditSql::errorText(query));

    qint64 rows = 0;
    qint64 previousId = 0;
    QString previousHash = AuditRowHash::genesis();
    QString hashBeforePrevious;
    int previousFormat = 1;
    while (query.next()) {
        ++rows;
        AuditRowFields fields;
        fields.id = query.value(0).toLongLong();
        fields.time = query.value(1).toString();
        fields.user = query.value(2).toString();
        fields.host = query.value(3).toString();
        fields.sessionId = query.value(4).toString();
        fields.kind = query.value(5).toString();
        fields.details = query.value(6).toString().toUtf8();
        int format = query.value(7).toInt();
        fields.previousHash = query.value(8).toString();
        QString storedHash = query.value(9).toString();

        qint64 expectedId = previousId + 1;
        if (fields.id > expectedId && head.present && head.lastId == previousId) {
            return broken(rows, fields.id,
                tr("Row %1 was added outside Airlock: the trail was written up to row %2 only.")
                    .arg(fields.id)
                    .arg(previousId));
        }
        if (fields.id > expectedId) {
            QString problem = fields.id == expectedId + 1
                ? tr("Row %1 was deleted: the trail goes from row %2 to row %3.")
                : tr("Rows %1 to %4 were deleted: the trail goes from row %2 to row %3.");
            return broken(rows, expectedId,
                problem.arg(expectedId).arg(previousId).arg(fields.id).arg(fields.id - 1));
        }
        if (fields.id < expectedId) {
            return broken(
                rows, fields.id, tr("Row %1 was inserted: row numbers start at 1.").arg(fields.id));
        }
        if (!AuditRowHash::isKnownFormat(format) || format < previousFormat) {
            return broken(rows, fields.id,
                tr("Row %1 was changed: it claims a hash format (%2) that cannot follow the rows "
                   "before it.")
                    .arg(fields.id)
                    .arg(format));
        }
        if (format == 1 && !fields.host.isEmpty()) {
            // Format 1 does not cover the host, and rows of that format were written before
            // hosts were recorded: a host there was put in afterwards.
            return broken(rows, fields.id,
                tr("Row %1 was changed: it names a host, but it was written before Airlock "
                   "recorded hosts.")
                    .arg(fields.id));
        }
        bool selfConsistent = AuditRowHash::hash(format, fields) == storedHash;
        if (fields.previousHash != previousHash) {
            // Pointing two rows back means the row in between was slipped in (and the rows after
            // it renumbered).
            if (previousId > 1 && fields.previousHash == hashBeforePrevious) {
                return broken(rows, previousId,
                    tr("Row %1 was inserted: row %2 was written to follow row %3.")
                        .arg(previousId)
                        .arg(fields.id)
                        .arg(previousId - 1));
            }
            // A row that still matches its own hash kept its link as written: the row before it
            // is the one that changed (re-hashed by whoever changed it).
            if (selfConsistent && previousId > 0) {
                return broken(rows, previousId,
                    tr("Row %1 was changed or replaced: row %2 recorded another hash for it.")
                        .arg(previousId)
                        .arg(fields.id));
            }
            return broken(rows, fields.id,
                tr("Row %1 does not follow row %2: one of them was changed, or rows between them "
                   "were deleted.")
                    .arg(fields.id)
                    .arg(previousId));
        }
        if (!selfConsistent) {
            return broken(rows, fields.id,
                tr("Row %1 was changed after it was written: its contents no longer match its "
                   "hash.")
                    .arg(fields.id));
        }
        previousId = fields.id;
        hashBeforePrevious = std::exchange(previousHash, storedHash);
        previousFormat = format;
    }
    if (query.lastError().isValid())
        return unreadable(rows, AuditSql::errorText(query));
    return checkHead(head, rows, previousId, previousHash);
}

} // namespace

AuditVerification verify(const QSqlDatabase& database)
{
    // One snapshot: the chain head and the rows must be read as of the same moment, or an append
    // by another process in between would look like a row added outside Airlock.
    auto snapshot = AuditTransaction::beginRead(database);
    if (!snapshot)
        return unreadable(0, snapshot.error().message);
    return verifySnapshot(database);
}

} // namespace app::AuditVerifier
