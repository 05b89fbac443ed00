#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace app {
struct AuditSessionSummary;
} // namespace app

namespace ui {

/// One thing destroyed at the end of a session, as a shred report states it.
struct ShredCertificateItem {
    QString what;
    QString method;
    /// How success was checked, or what went wrong.
    QString verification;
    QString detail;
    bool succeeded = false;
    QDateTime startedAt;
    QDateTime finishedAt;
};

/// A session's shred report (the engine's JSON, or the app's for an abandoned session) with
/// what the certificate says around it: which session, for what purpose, when. The report comes
/// from another process and is read defensively: missing or odd fields show as unknown and
/// count against the verdict.
struct ShredCertificate {
    QString sessionName;
    QString purpose;
    QDateTime started;
    QDateTime ended;
    /// The report as recorded in the audit trail.
    QJsonObject report;

    /// The certificate of a session the audit trail describes.
    static ShredCertificate fromAudit(
        const app::AuditSessionSummary& session, const QJsonObject& report);

    /// The report's items, in order.
    QList<ShredCertificateItem> items() const;
    /// Whether the report says everything was destroyed and verified (and has items).
    bool succeeded() const;
    /// Whether the engine ended without shredding and the app finished the job.
    bool abandoned() const;
    /// What happened to the engine, for an abandoned session.
    QString cause() const;
    /// The overall verdict in one sentence.
    QString verdict() const;
    /// The report as compact JSON: what "Copy JSON" copies and what reportSha256() hashes.
    QByteArray reportJson() const;
    /// SHA-256 of reportJson(), lowercase hex.
    QString reportSha256() const;
    /// The certificate as a printable HTML document (for QTextDocument).
    QString html() const;
};

} // namespace ui
