#include "audit/AuditSql.h"

#include <QSqlError>
#include <QVariant>

namespace app::AuditSql {

QString errorText(const QSqlQuery& query)
{
    QSqlError error = query.lastError();
    return error.databaseText().isEmpty() ? error.text() : error.databaseText();
}

Result<void> execute(const QSqlDatabase& database, const QString& statement)
{
    QSqlQuery query(database);
    if (!query.exec(statement))
        return failure(errorText(query));
    return {};
}

Result<QVariant> scalar(const QSqlDatabase& database, const QString& statement)
{
    QSqlQuery query(database);
    if (!query.exec(statement))
        return failure(errorText(query));
    if (!query.next())
        return failure(QStringLiteral("no result"));
    return query.value(0);
}

} // namespace app::AuditSql
