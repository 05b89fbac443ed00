#include "audit/AuditRowHash.h"

#include <QCryptographicHash>
#include <QJsonDocument>

namespace app::AuditRowHash {

namespace {

void appendField(QByteArray& out, const QByteArray& bytes)
{
    auto length = static_cast<quint64>(bytes.size());
    for (int shift = 56; shift >= 0; shift -= 8)
        out.append(static_cast<char>((length >> shift) & 0xff));
    out.append(bytes);
}

} // namespace

bool isKnownFormat(int format)
{
    return format == 1 || format == 2;
}

QByteArray encode(int format, const AuditRowFields& fields)
{
    QByteArray out;
    appendField(out, QByteArrayLiteral("airlock-audit-row/") + QByteArray::number(format));
    appendField(out, fields.previousHash.toUtf8());
    appendField(out, QByteArray::number(fields.id));
    appendField(out, fields.time.toUtf8());
    appendField(out, fields.user.toUtf8());
    if (format >= 2)
        appendField(out, fields.host.toUtf8());
    appendField(out, fields.sessionId.toUtf8());
    appendField(out, fields.kind.toUtf8());
    appendField(out, fields.details);
    return out;
}

QString hash(int format, const AuditRowFields& fields)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(encode(format, fields), QCryptographicHash::Sha256).toHex());
}

QString genesis()
{
    return QString(64, QLatin1Char('0'));
}

QByteArray canonicalDetails(const QJsonObject& details)
{
    return QJsonDocument(details).toJson(QJsonDocument::Compact);
}

} // namespace app::AuditRowHash
