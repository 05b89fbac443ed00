#include "audit/AuditStore.h"

#include "audit/AuditRowHash.h"
#include "audit/AuditSchema.h"
#include "audit/AuditSql.h"
#include "audit/AuditTransaction.h"
#include "audit/AuditVerifier.h"

#include <array>
#include <atomic>
#include <pwd.h>
#include <unistd.h>
#include <utility>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QSysInfo>
#include <QVariant>

namespace app {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("app::AuditStore", text);
}

// The account this process runs as, from the password database (not $USER, which anyone can set).
QString currentUserName()
{
    std::array<char, 4096> buffer {};
    passwd entry {};
    passwd* found = nullptr;
    uid_t uid = geteuid();
    if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found)
        return QString::fromLocal8Bit(found->pw_name);
    return QStringLiteral("uid %1").arg(uid);
}

// SQLite would read a file of another kind only to fail later; refuse it before SQLite touches it.
bool looksLikeSqlite(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    return file.read(16) == QByteArray("SQLite format 3\0", 16);
}

constexpr char kEventColumns[] = "id, time, user_name, host_name, session_id, kind, details, "
                                 "prev_hash, hash";

AuditEvent eventFromRow(const QSqlQuery& query)
{
    AuditEvent event;
    event.id = query.value(0).toLongLong();
    event.time = auditTimeFromText(query.value(1).toString());
    event.user = query.value(2).toString();
    event.host = query.value(3).toString();
    event.sessionId = query.value(4).toString();
    event.kind = kindFromName(query.value(5).toString());
    // A row whose details are not an object (only by tampering) still shows, with none.
    event.details = QJsonDocument::fromJson(query.value(6).toString().toUtf8()).object();
    event.previousHash = query.value(7).toString();
    event.hash = query.value(8).toString();
    return event;
}

} // namespace

AuditStore::AuditStore(QString connectionName, QString path)
    : m_connectionName(std::move(connectionName))
    , m_path(std::move(path))
{
}

AuditStore::~AuditStore()
{
    {
        QSqlDatabase database = QSqlDatabase::database(m_connectionName, false);
        if (database.isOpen())
            database.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QString AuditStore::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
        QStringLiteral("/airlock/audit.sqlite");
}

Result<std::unique_ptr<AuditStore>> AuditStore::open(const QString& path)
{
    QFileInfo info(path);
    if (!QDir().mkpath(info.absolutePath())) {
        return failure(tr("The folder %1 for the audit trail could not be created. Check that "
                          "you may write there, or choose another location.")
                           .arg(info.absolutePath()));
    }
    if (info.exists() && info.size() > 0 && !looksLikeSqlite(path)) {
        return failure(tr("%1 is not an Airlock audit trail (it is not an SQLite database, or it "
                          "cannot be read). Airlock left it unchanged; move it away or choose "
                          "another file.")
                           .arg(path));
    }

    static std::atomic<quint64> connections {0};
    QString connectionName = QStringLiteral("airlock-audit-%1").arg(++connections);
    std::unique_ptr<AuditStore> store(new AuditStore(connectionName, info.absoluteFilePath()));
    QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    database.setDatabaseName(store->m_path);
    // Another process (airlockctl) may be appending: wait for its lock rather than fail.
    database.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    if (!database.open()) {
        return failure(tr("The audit trail %1 could not be opened (%2). Check that the file and "
                          "its folder are readable and writable.")
                           .arg(path, database.lastError().text()));
    }

    // Checked before any write: WAL mode and migrations would change a file we must not touch.
    int version = APP_TRY(AuditSchema::readVersion(database, path));
    auto configure = [&]() -> Result<void> {
        // Triggers and views in the file run with no more than they need.
        if (auto done = AuditSql::execute(database, QStringLiteral("PRAGMA trusted_schema = OFF"));
            !done)
            return done;
        QVariant mode =
            APP_TRY(AuditSql::scalar(database, QStringLiteral("PRAGMA journal_mode = WAL")));
        if (mode.toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            return failure(tr("the file system does not support write-ahead logging"));
        // FULL: a commit is on disk before append() returns, even across a power cut.
        return AuditSql::execute(database, QStringLiteral("PRAGMA synchronous = FULL"));
    }();
    if (!configure) {
        return failure(tr("The audit trail %1 could not be set up (%2). Put it on a local disk "
                          "where you may write.")
                           .arg(path, configure.error().message));
    }
    if (auto migrated = AuditSchema::migrate(database, version, path); !migrated)
        return tl::unexpected(migrated.error());
    return store;
}

Result<AuditEvent> AuditStore::append(AuditEvent event)
{
    if (event.kind == AuditEventKind::Unknown)
        return failure(tr("An audit event without a kind cannot be recorded (a bug in Airlock)."));
    if (!event.time.isValid())
        event.time = QDateTime::currentDateTimeUtc();
    if (event.user.isEmpty())
        event.user = currentUserName();
    if (event.host.isEmpty())
        event.host = QSysInfo::machineHostName();

    AuditRowFields fields;
    fields.time = auditTimeText(event.time);
    fields.user = event.user;
    fields.host = event.host;
    fields.sessionId = event.sessionId;
    fields.kind = kindName(event.kind);
    fields.details = AuditRowHash::canonicalDetails(event.details);

    QSqlDatabase database = QSqlDatabase::database(m_connectionName, false);
    auto written = [&]() -> Result<void> {
        auto transaction = APP_TRY(AuditTransaction::begin(database));
        AuditChainHead current = APP_TRY(head());
        fields.id = current.lastId + 1;
        fields.previousHash = current.lastHash;
        event.id = fields.id;
        event.previousHash = fields.previousHash;
        event.hash = AuditRowHash::hash(AuditRowHash::kCurrentFormat, fields);

        QSqlQuery insert(database);
        insert.prepare(QStringLiteral(
            "INSERT INTO events (id, time, user_name, host_name, session_id, kind, details, "
            "hash_format, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        insert.addBindValue(fields.id);
        insert.addBindValue(fields.time);
        insert.addBindValue(fields.user);
        insert.addBindValue(fields.host);
        // A null QString binds as SQL NULL; an app-level event has an empty session instead.
        insert.addBindValue(fields.sessionId.isNull() ? QStringLiteral("") : fields.sessionId);
        insert.addBindValue(fields.kind);
        insert.addBindValue(QString::fromUtf8(fields.details));
        insert.addBindValue(AuditRowHash::kCurrentFormat);
        insert.addBindValue(event.previousHash);
        insert.addBindValue(event.hash);
        if (!insert.exec())
            return failure(AuditSql::errorText(insert));

        QSqlQuery moveHead(database);
        moveHead.prepare(QStringLiteral(
            "INSERT INTO chain_head (singleton, last_id, last_hash) VALUES (1, ?, ?) "
            "ON CONFLICT (singleton) DO UPDATE SET last_id = excluded.last_id, "
            "last_hash = excluded.last_hash"));
        moveHead.addBindValue(event.id);
        moveHead.addBindValue(event.hash);
        if (!moveHead.exec())
            return failure(AuditSql::errorText(moveHead));
        return transaction.commit();
    }();
    if (!written) {
        return failure(tr("The audit event could not be recorded in %1 (%2). Check that the disk "
                          "has space and the file is writable; Airlock does not continue "
                          "without recording.")
                           .arg(m_path, written.error().message));
    }
    event.time = auditTimeFromText(fields.time);
    return event;
}

Result<AuditChainHead> AuditStore::head() const
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.exec(
            QStringLiteral("SELECT last_id, last_hash FROM chain_head WHERE singleton = 1")))
        return failure(AuditSql::errorText(query));
    if (!query.next())
        return AuditChainHead {0, AuditRowHash::genesis()};
    return AuditChainHead {query.value(0).toLongLong(), query.value(1).toString()};
}

Result<QList<AuditEvent>> AuditStore::events(const AuditFilter& filter) const
{
    QStringList conditions;
    QVariantList values;
    if (!filter.sessionId.isEmpty()) {
        conditions << QStringLiteral("session_id = ?");
        values << filter.sessionId;
    }
    if (!filter.dataset.isEmpty()) {
        // CASE, not AND: SQLite may evaluate AND's operands in any order, and json_extract()
        // fails the whole query on a row whose details were damaged.
        conditions << QStringLiteral(
            "CASE WHEN json_valid(details) THEN json_extract(details, '$.dataset') END = ?");
        values << filter.dataset;
    }
    if (!filter.user.isEmpty()) {
        conditions << QStringLiteral("user_name = ?");
        values << filter.user;
    }
    // Every stored time has the one auditTimeText() form, so text order is time order.
    if (filter.from.isValid()) {
        conditions << QStringLiteral("time >= ?");
        values << auditTimeText(filter.from);
    }
    if (filter.until.isValid()) {
        conditions << QStringLiteral("time < ?");
        values << auditTimeText(filter.until);
    }
    if (!filter.kinds.isEmpty()) {
        QStringList placeholders;
        for (AuditEventKind kind : filter.kinds) {
            placeholders << QStringLiteral("?");
            values << kindName(kind);
        }
        conditions << QStringLiteral("kind IN (%1)").arg(placeholders.join(QLatin1String(", ")));
    }
    QString sql = QStringLiteral("SELECT %1 FROM events").arg(QLatin1String(kEventColumns));
    if (!conditions.isEmpty())
        sql += QStringLiteral(" WHERE ") + conditions.join(QLatin1String(" AND "));
    sql += QStringLiteral(" ORDER BY id");

    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.setForwardOnly(true);
    query.prepare(sql);
    for (const QVariant& value : values)
        query.addBindValue(value);
    if (!query.exec()) {
        return failure(tr("The audit trail %1 could not be read (%2). Check that the file is "
                          "readable; verify the trail to see whether it was damaged.")
                           .arg(m_path, AuditSql::errorText(query)));
    }
    QList<AuditEvent> result;
    while (query.next())
        result.append(eventFromRow(query));
    return result;
}

Result<QList<AuditSessionSummary>> AuditStore::sessions() const
{
    QList<AuditEvent> all = APP_TRY(events());
    return AuditSessionSummary::summarize(all);
}

AuditVerification AuditStore::verify() const
{
    return AuditVerifier::verify(QSqlDatabase::database(m_connectionName, false));
}

} // namespace app
