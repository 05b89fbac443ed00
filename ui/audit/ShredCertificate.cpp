#include "ShredCertificate.h"

#include "audit/AuditEvent.h"
#include "audit/AuditSessionSummary.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace ui {

namespace {

// A report is hostile input; nobody reads more items than this on a certificate.
constexpr qsizetype kMaximumItems = 1000;

QString tr(const char* text, const char* disambiguation = nullptr, int count = -1)
{
    return QCoreApplication::translate("ui::ShredCertificate", text, disambiguation, count);
}

QString field(const QJsonObject& object, const char* key)
{
    return object.value(QLatin1String(key)).toString();
}

QString timeText(const QDateTime& time)
{
    return time.isValid()
        ? QLocale().toString(time.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"))
        : tr("unknown");
}

QString escaped(const QString& text)
{
    return text.toHtmlEscaped();
}

QString itemRow(const ShredCertificateItem& item)
{
    const QString mark = item.succeeded
        ? QStringLiteral("<span style=\"color:#1e6b34; font-size:large;\">&#10004;</span>")
        : QStringLiteral("<span style=\"color:#a50e0e; font-size:large;\">&#10008;</span>");
    QString verification =
        escaped(item.verification.isEmpty() ? tr("not stated") : item.verification);
    if (!item.detail.isEmpty())
        verification += QStringLiteral("<br><i>%1</i>").arg(escaped(item.detail));
    return QStringLiteral("<tr><td align=\"center\">%1</td><td><b>%2</b></td><td>%3</td><td>%4</td>"
                          "<td>%5</td></tr>")
        .arg(mark, escaped(item.what.isEmpty() ? tr("(unnamed)") : item.what), escaped(item.method),
            verification, escaped(timeText(item.finishedAt)));
}

} // namespace

ShredCertificate ShredCertificate::fromAudit(
    const app::AuditSessionSummary& session, const QJsonObject& report)
{
    return ShredCertificate {session.name, session.purpose, session.started, session.ended, report};
}

QList<ShredCertificateItem> ShredCertificate::items() const
{
    QList<ShredCertificateItem> items;
    const QJsonArray array = report.value(QLatin1String("items")).toArray();
    for (const QJsonValue& value : array) {
        if (items.size() >= kMaximumItems)
            break;
        const QJsonObject object = value.toObject();
        ShredCertificateItem item;
        item.what = field(object, "what");
        item.method = field(object, "method");
        item.verification = field(object, "verification");
        item.detail = field(object, "detail");
        item.succeeded = object.value(QLatin1String("succeeded")).toBool(false);
        item.startedAt = app::auditTimeFromText(field(object, "startedAt"));
        item.finishedAt = app::auditTimeFromText(field(object, "finishedAt"));
        items.append(item);
    }
    return items;
}

bool ShredCertificate::succeeded() const
{
    const QList<ShredCertificateItem> all = items();
    if (all.isEmpty() || !report.value(QLatin1String("succeeded")).toBool(false))
        return false;
    return std::all_of(
        all.begin(), all.end(), [](const ShredCertificateItem& item) { return item.succeeded; });
}

bool ShredCertificate::abandoned() const
{
    return report.value(QLatin1String("abandoned")).toBool(false);
}

QString ShredCertificate::cause() const
{
    return field(report, "cause");
}

QString ShredCertificate::verdict() const
{
    const QList<ShredCertificateItem> all = items();
    const auto failed = std::count_if(
        all.begin(), all.end(), [](const ShredCertificateItem& item) { return !item.succeeded; });
    if (all.isEmpty())
        return tr("Not verified: the report lists nothing that was destroyed.");
    if (succeeded())
        return all.size() == 1
            ? tr("Shredded: the one item was destroyed and verified.")
            : tr("Shredded: all %1 items were destroyed and verified.").arg(all.size());
    return tr("Not fully verified: %1 of %2 items could not be shown destroyed. Keep this "
              "certificate and tell your administrator.")
        .arg(failed)
        .arg(all.size());
}

QByteArray ShredCertificate::reportJson() const
{
    return QJsonDocument(report).toJson(QJsonDocument::Compact);
}

QString ShredCertificate::reportSha256() const
{
    return QString::fromLatin1(
        QCryptographicHash::hash(reportJson(), QCryptographicHash::Sha256).toHex());
}

QString ShredCertificate::html() const
{
    QString notice;
    if (abandoned()) {
        notice =
            QStringLiteral("<table width=\"100%\" cellpadding=\"8\" bgcolor=\"#fff4e0\" "
                           "style=\"border:1px solid #b36b00;\"><tr><td style=\"color:#7a4800;\">"
                           "<b>%1</b><br>%2<br>%3</td></tr></table><p></p>")
                .arg(escaped(tr("The engine ended without shredding.")),
                    escaped(tr("Cause: %1").arg(cause().isEmpty() ? tr("not recorded") : cause())),
                    escaped(tr("Airlock shredded what the session left on this host; the "
                               "items below say what was found and checked.")));
    }
    const QString verdictColour =
        succeeded() ? QStringLiteral("#1e6b34") : QStringLiteral("#a50e0e");
    QString rows;
    for (const ShredCertificateItem& item : items())
        rows += itemRow(item);
    return QStringLiteral(
        "<html><body>"
        "<h2>%1</h2>"
        "<table cellpadding=\"3\">"
        "<tr><td><b>%2</b></td><td>%3</td></tr>"
        "<tr><td><b>%4</b></td><td>%5</td></tr>"
        "<tr><td><b>%6</b></td><td>%7</td></tr>"
        "<tr><td><b>%8</b></td><td>%9</td></tr>"
        "</table><p></p>%10"
        "<p style=\"color:%11; font-size:large;\"><b>%12</b></p>"
        "<table width=\"100%\" border=\"1\" cellspacing=\"0\" cellpadding=\"4\">"
        "<tr bgcolor=\"#eeeeee\"><th></th><th>%13</th><th>%14</th><th>%15</th><th>%16</th></tr>"
        "%17</table>"
        "<p><b>%18</b><br><tt>%19</tt></p>"
        "</body></html>")
        .arg(escaped(tr("Shred certificate")), escaped(tr("Session")),
            escaped(sessionName.isEmpty() ? tr("unknown") : sessionName),
            escaped(tr("Purpose of use")),
            escaped(purpose.isEmpty() ? tr("not recorded") : purpose), escaped(tr("Started")),
            escaped(timeText(started)), escaped(tr("Ended")), escaped(timeText(ended)))
        .arg(notice, verdictColour, escaped(verdict()), escaped(tr("What")), escaped(tr("Method")),
            escaped(tr("How it was verified")), escaped(tr("Finished")), rows,
            escaped(tr("SHA-256 of this report (compact JSON)")))
        .arg(reportSha256());
}

} // namespace ui
