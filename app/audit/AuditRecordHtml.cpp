// AuditExport::sessionRecordHtml(): a session's record as a document an auditor can print.
// QTextDocument understands a subset of HTML 4 and CSS: tables, <pre>, simple styles.

#include "audit/AuditExport.h"
#include "audit/AuditRowHash.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonValue>
#include <QLocale>

namespace app::AuditExport {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("app::AuditExport", text);
}

QString escaped(const QString& text)
{
    return text.toHtmlEscaped();
}

QString timeText(const QDateTime& time)
{
    return time.isValid() ? auditTimeText(time) : tr("—");
}

QString row(const QStringList& cells, const QString& tag = QStringLiteral("td"))
{
    QString html = QStringLiteral("<tr>");
    for (const QString& cell : cells)
        html += QStringLiteral("<%1>%2</%1>").arg(tag, cell);
    return html + QStringLiteral("</tr>");
}

QString table(const QStringList& headers, const QList<QStringList>& rows)
{
    QStringList escapedHeaders;
    for (const QString& header : headers)
        escapedHeaders << escaped(header);
    QString html = QStringLiteral("<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" "
                                  "width=\"100%\">") +
        row(escapedHeaders, QStringLiteral("th"));
    for (const QStringList& cells : rows)
        html += row(cells);
    return html + QStringLiteral("</table>");
}

QString text(const QJsonObject& details, const char* key)
{
    QJsonValue value = details.value(QLatin1String(key));
    if (value.isString())
        return escaped(value.toString());
    if (value.isDouble())
        return QLocale().toString(value.toInteger());
    return {};
}

QString digest(const QJsonObject& details, const char* key)
{
    return QStringLiteral("<tt>%1</tt>").arg(text(details, key));
}

QString verdict(const AuditVerification& verification)
{
    if (verification.intact) {
        return QStringLiteral("<p style=\"color:#1a6b1a\"><b>%1</b></p>")
            .arg(escaped(tr("Hash chain intact: %1 rows checked.")
                             .arg(QLocale().toString(verification.rowsChecked))));
    }
    return QStringLiteral("<p style=\"color:#a00000\"><b>%1</b> %2</p>")
        .arg(escaped(tr("Hash chain BROKEN.")), escaped(verification.problem));
}

QString summary(const AuditSessionSummary& session)
{
    QString ended = timeText(session.ended);
    if (session.exitStatus)
        ended += escaped(tr(" (exit status %1)").arg(*session.exitStatus));
    if (!session.endReason.isEmpty())
        ended += QStringLiteral(", ") + escaped(session.endReason);
    QList<QStringList> rows {
        {escaped(tr("Session")), QStringLiteral("<tt>%1</tt>").arg(escaped(session.sessionId))},
        {escaped(tr("Name")), escaped(session.name)},
        {escaped(tr("Purpose of use")), escaped(session.purpose)},
        {escaped(tr("User")), escaped(session.user)},
        {escaped(tr("Host")), escaped(session.host)},
        {escaped(tr("Started")), timeText(session.started)},
        {escaped(tr("Ended")), ended},
        {escaped(tr("Datasets")), escaped(session.datasets.join(QLatin1String(", ")))},
        {escaped(tr("Files exported")), QString::number(session.exportCount)},
        {escaped(tr("Shred report")), escaped(session.shredded ? tr("recorded") : tr("none"))},
    };
    QString html = QStringLiteral("<table cellpadding=\"3\">");
    for (const QStringList& cells : rows)
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(cells[0], cells[1]);
    return html + QStringLiteral("</table>");
}

} // namespace

QString sessionRecordHtml(const AuditSessionSummary& session, const QList<AuditEvent>& events,
    const AuditVerification& verification)
{
    QList<QStringList> datasets;
    QList<QStringList> exports;
    QList<QStringList> timeline;
    QStringList shredReports;
    for (const AuditEvent& event : events) {
        const QJsonObject& details = event.details;
        if (event.kind == AuditEventKind::DatasetMounted) {
            datasets << QStringList {text(details, "dataset"), tr("mounted"),
                text(details, "sizeBytes"), text(details, "fileCount"),
                digest(details, "manifestSha256")};
        } else if (event.kind == AuditEventKind::DatasetVerified) {
            bool unchanged = details.value(QLatin1String("changed")).toInteger() == 0 &&
                details.value(QLatin1String("vanished")).toInteger() == 0 &&
                details.value(QLatin1String("added")).toInteger() == 0;
            QString outcome = unchanged
                ? tr("checked at unmount: unchanged")
                : tr("checked at unmount: %1 changed, %2 vanished, %3 added")
                      .arg(text(details, "changed"), text(details, "vanished"),
                          text(details, "added"));
            datasets << QStringList {text(details, "dataset"), escaped(outcome), {}, {},
                digest(details, "digestAtUnmount")};
        } else if (event.kind == AuditEventKind::Export) {
            exports << QStringList {timeText(event.time), text(details, "outboxPath"),
                text(details, "destinationPath"), text(details, "sizeBytes"),
                digest(details, "sha256")};
        } else if (event.kind == AuditEventKind::ShredReport) {
            shredReports << QStringLiteral("<pre>%1</pre>")
                                .arg(escaped(QString::fromUtf8(
                                    QJsonDocument(details).toJson(QJsonDocument::Indented))));
        }
        timeline << QStringList {QString::number(event.id), timeText(event.time),
            escaped(event.user), escaped(kindName(event.kind)),
            escaped(QString::fromUtf8(AuditRowHash::canonicalDetails(details))),
            QStringLiteral("<tt>%1</tt>").arg(escaped(event.hash))};
    }

    QString title = tr("Audit record of session %1")
                        .arg(session.name.isEmpty() ? session.sessionId : session.name);
    QString html = QStringLiteral("<html><head><meta charset=\"utf-8\"><title>%1</title></head>"
                                  "<body><h1>%1</h1>")
                       .arg(escaped(title));
    html += QStringLiteral("<p>%1</p>")
                .arg(escaped(tr("Exported from the Airlock audit trail on %1.")
                                 .arg(auditTimeText(QDateTime::currentDateTimeUtc()))));
    html += verdict(verification) + summary(session);
    html += QStringLiteral("<h2>%1</h2>").arg(escaped(tr("Datasets")));
    html += table(
        {tr("Dataset"), tr("Event"), tr("Bytes"), tr("Files"), tr("Manifest SHA-256")}, datasets);
    html += QStringLiteral("<h2>%1</h2>").arg(escaped(tr("Exports")));
    html += table(
        {tr("Time"), tr("Outbox file"), tr("Exported to"), tr("Bytes"), tr("SHA-256")}, exports);
    html += QStringLiteral("<h2>%1</h2>").arg(escaped(tr("Shred report")));
    html += shredReports.isEmpty() ? QStringLiteral("<p>%1</p>").arg(escaped(tr("None recorded.")))
                                   : shredReports.join(QString());
    html += QStringLiteral("<h2>%1</h2>").arg(escaped(tr("Events")));
    html += table(
        {tr("Row"), tr("Time"), tr("User"), tr("Event"), tr("Details"), tr("Row hash")}, timeline);
    return html + QStringLiteral("</body></html>");
}

} // namespace app::AuditExport
