#include "audit/AuditExport.h"

#include "audit/AuditRowHash.h"

#include <QCoreApplication>
#include <QSaveFile>

namespace app::AuditExport {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("app::AuditExport", text);
}

QString csvField(QString value, bool mayBeFormula)
{
    // A session name like "=HYPERLINK(...)" must not run when the auditor opens the file.
    static const QString formulaStarts = QStringLiteral("=+-@");
    if (mayBeFormula && !value.isEmpty() && formulaStarts.contains(value.front()))
        value.prepend(QLatin1Char('\''));
    bool quote = value.contains(QLatin1Char(',')) || value.contains(QLatin1Char('"')) ||
        value.contains(QLatin1Char('\n')) || value.contains(QLatin1Char('\r'));
    if (!quote)
        return value;
    value.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + value + QLatin1Char('"');
}

} // namespace

QByteArray toCsv(const QList<AuditEvent>& events)
{
    QString out = QStringLiteral("id,time,user,host,session,kind,details,previous_hash,hash\r\n");
    for (const AuditEvent& event : events) {
        QStringList fields {
            QString::number(event.id),
            auditTimeText(event.time),
            csvField(event.user, true),
            csvField(event.host, true),
            csvField(event.sessionId, true),
            kindName(event.kind),
            csvField(QString::fromUtf8(AuditRowHash::canonicalDetails(event.details)), false),
            event.previousHash,
            event.hash,
        };
        out += fields.join(QLatin1Char(',')) + QLatin1String("\r\n");
    }
    return out.toUtf8();
}

Result<void> writeCsv(const QList<AuditEvent>& events, const QString& path)
{
    QSaveFile file(path);
    QByteArray bytes = toCsv(events);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        return failure(tr("The audit export %1 could not be written (%2). Choose a folder where "
                          "you may write and that has space.")
                           .arg(path, file.errorString()));
    }
    return {};
}

} // namespace app::AuditExport
