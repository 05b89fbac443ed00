#pragma once

// What the audit tests share: the row hash rewritten from its documented definition (so that a
// change to the library's encoding, which would orphan every existing trail, fails a test), a
// raw SQLite connection playing the tamperer or an older Airlock, and sample events.

#include "audit/AuditEvents.h"
#include "audit/AuditStore.h"

#include <atomic>

#include <QCryptographicHash>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QtDebug>

/// One row's stored text, as hashed.
struct StoredRow {
    QString previousHash;
    qint64 id = 0;
    QString time;
    QString user;
    QString host;
    QString sessionId;
    QString kind;
    QByteArray details;
};

/// The row hash exactly as AuditRowHash.h documents it, written independently of the library.
inline QString documentedRowHash(int format, const StoredRow& row)
{
    QByteArray bytes;
    auto field = [&](const QByteArray& value) {
        quint64 length = static_cast<quint64>(value.size());
        for (int byte = 7; byte >= 0; --byte)
            bytes.append(static_cast<char>((length >> (8 * byte)) & 0xff));
        bytes.append(value);
    };
    field("airlock-audit-row/" + QByteArray::number(format));
    field(row.previousHash.toUtf8());
    field(QByteArray::number(row.id));
    field(row.time.toUtf8());
    field(row.user.toUtf8());
    if (format == 2)
        field(row.host.toUtf8());
    field(row.sessionId.toUtf8());
    field(row.kind.toUtf8());
    field(row.details);
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

/// A plain Qt Sql connection to an audit file, outside AuditStore: what a tamperer or a
/// version-1 Airlock has.
class RawDatabase {
public:
    explicit RawDatabase(const QString& path)
        : m_name(QStringLiteral("raw-%1").arg(++s_connections))
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        database.setDatabaseName(path);
        if (!database.open())
            qWarning() << "cannot open" << path << database.lastError().text();
    }
    RawDatabase(const RawDatabase&) = delete;
    RawDatabase& operator=(const RawDatabase&) = delete;
    ~RawDatabase()
    {
        {
            QSqlDatabase database = QSqlDatabase::database(m_name, false);
            database.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }

    /// Runs `sql` with `values` bound in order; false (and the error on the log) on failure.
    bool exec(const QString& sql, const QVariantList& values = {})
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        query.prepare(sql);
        for (const QVariant& value : values)
            query.addBindValue(value);
        if (query.exec())
            return true;
        m_lastError = query.lastError().text();
        qWarning() << sql << "failed:" << m_lastError;
        return false;
    }

    /// The first value of the first row `sql` yields (invalid on failure).
    QVariant scalar(const QString& sql, const QVariantList& values = {})
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        query.prepare(sql);
        for (const QVariant& value : values)
            query.addBindValue(value);
        if (!query.exec() || !query.next())
            return {};
        return query.value(0);
    }

    /// The last error exec() met.
    QString lastError() const { return m_lastError; }

    /// Drops the append-only triggers, as anyone who can write the file can.
    bool dropTriggers()
    {
        return exec(QStringLiteral("DROP TRIGGER events_no_update")) &&
            exec(QStringLiteral("DROP TRIGGER events_no_delete")) &&
            exec(QStringLiteral("DROP TRIGGER chain_head_no_delete")) &&
            exec(QStringLiteral("DROP TRIGGER chain_head_forward_only"));
    }

    /// Row `id` as stored.
    StoredRow row(qint64 id)
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        query.prepare(QStringLiteral("SELECT prev_hash, id, time, user_name, host_name, "
                                     "session_id, kind, details FROM events WHERE id = ?"));
        query.addBindValue(id);
        StoredRow row;
        if (!query.exec() || !query.next())
            return row;
        row.previousHash = query.value(0).toString();
        row.id = query.value(1).toLongLong();
        row.time = query.value(2).toString();
        row.user = query.value(3).toString();
        row.host = query.value(4).toString();
        row.sessionId = query.value(5).toString();
        row.kind = query.value(6).toString();
        row.details = query.value(7).toString().toUtf8();
        return row;
    }

    /// The stored hash of row `id`.
    QString hashOf(qint64 id)
    {
        return scalar(QStringLiteral("SELECT hash FROM events WHERE id = ?"), {id}).toString();
    }

    /// Gives row `id` the hash its present contents have, as a careful forger would.
    bool rehash(qint64 id)
    {
        return exec(QStringLiteral("UPDATE events SET hash = ? WHERE id = ?"),
            {documentedRowHash(2, row(id)), id});
    }

private:
    static inline std::atomic<int> s_connections {0};
    QString m_name;
    QString m_lastError;
};

/// The `index`th of a varied run of events over three sessions and two datasets.
inline app::AuditEvent sampleEvent(int index)
{
    QString session = QStringLiteral("session-%1").arg(index % 3);
    switch (index % 4) {
    case 0:
        return app::AuditEvents::sessionState(session, QStringLiteral("running"));
    case 1:
        return app::AuditEvents::datasetMounted(session, QStringLiteral("cohort-%1").arg(index % 2),
            QStringLiteral("/data/cohort"), 1000 + index, 10,
            QString(64, QLatin1Char('a' + static_cast<char>(index % 6))));
    case 2:
        return app::AuditEvents::exported(session, QStringLiteral("/outbox/result.csv"),
            QStringLiteral("/home/analyst/result.csv"), 42, QString(64, QLatin1Char('b')));
    default:
        return app::AuditEvents::engineError(session, QStringLiteral("KVM_RUN failed: EINTR"));
    }
}

/// Appends `count` sample events; false at the first that fails.
inline bool appendSamples(app::AuditStore& store, int count)
{
    for (int index = 0; index < count; ++index) {
        auto appended = store.append(sampleEvent(index));
        if (!appended) {
            qWarning() << appended.error().message;
            return false;
        }
    }
    return true;
}
