// What an auditor takes away: CSV that a spreadsheet reads back field for field, and a session's
// record as HTML with its purpose, dataset digests, export hashes, shred report and verdict.

#include "audit/AuditExport.h"
#include "audit/AuditStore.h"
#include "tst_audit_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace app;

namespace {

// An RFC 4180 reader, enough to read back what toCsv() writes.
QList<QStringList> parseCsv(const QString& text)
{
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    for (qsizetype index = 0; index < text.size(); ++index) {
        QChar character = text.at(index);
        if (quoted) {
            if (character == QLatin1Char('"') && index + 1 < text.size() &&
                text.at(index + 1) == QLatin1Char('"')) {
                field += character;
                ++index;
            } else if (character == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += character;
            }
        } else if (character == QLatin1Char('"')) {
            quoted = true;
        } else if (character == QLatin1Char(',')) {
            row << field;
            field.clear();
        } else if (character == QLatin1Char('\r') && index + 1 < text.size() &&
            text.at(index + 1) == QLatin1Char('\n')) {
            row << field;
            rows << row;
            row.clear();
            field.clear();
            ++index;
        } else {
            field += character;
        }
    }
    return rows;
}

} // namespace

class AuditExportTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

    QList<AuditEvent> recordedSession(AuditStore& store)
    {
        AuditEvent created = AuditEvents::sessionCreated(QStringLiteral("s-1"),
            QStringLiteral("Study <b>one</b>"), QStringLiteral("Readmissions, \"Q3\"\nsecond line"),
            QStringLiteral("/bin/sh"), 2, 1024, 3600);
        created.user = QStringLiteral("=cmd|' /C calc'!A0");
        QList<AuditEvent> events;
        for (AuditEvent event :
            {created,
                AuditEvents::datasetMounted(QStringLiteral("s-1"), QStringLiteral("cohort"),
                    QStringLiteral("/data/cohort"), 2048, 3, QString(64, QLatin1Char('d'))),
                AuditEvents::exported(QStringLiteral("s-1"), QStringLiteral("/outbox/model.csv"),
                    QStringLiteral("/home/a/model.csv"), 99, QString(64, QLatin1Char('e'))),
                AuditEvents::sessionEnded(QStringLiteral("s-1"), 0, QStringLiteral("guest exited")),
                AuditEvents::shredReport(QStringLiteral("s-1"),
                    {{QStringLiteral("scratch"), QStringLiteral("key destroyed")}})}) {
            auto appended = store.append(event);
            if (appended)
                events << *appended;
        }
        return events;
    }

private slots:
    void csvReadsBackFieldForField()
    {
        auto store = AuditStore::open(m_directory.filePath(QStringLiteral("csv.sqlite")));
        QVERIFY(store);
        QList<AuditEvent> events = recordedSession(**store);
        QCOMPARE(events.size(), 5);

        QByteArray csv = AuditExport::toCsv(events);
        QVERIFY(csv.endsWith("\r\n"));
        QList<QStringList> rows = parseCsv(QString::fromUtf8(csv));
        QCOMPARE(rows.size(), 6);
        QCOMPARE(rows.at(0),
            (QStringList {QStringLiteral("id"), QStringLiteral("time"), QStringLiteral("user"),
                QStringLiteral("host"), QStringLiteral("session"), QStringLiteral("kind"),
                QStringLiteral("details"), QStringLiteral("previous_hash"),
                QStringLiteral("hash")}));
        for (const QStringList& row : rows)
            QCOMPARE(row.size(), 9);
        // A formula in a text field is defused; the purpose with quotes and a line break survives.
        QCOMPARE(rows.at(1).at(2), QStringLiteral("'=cmd|' /C calc'!A0"));
        QVERIFY(
            rows.at(1).at(6).contains(QStringLiteral("Readmissions, \\\"Q3\\\"\\nsecond line")));
        QCOMPARE(rows.at(3).at(5), QStringLiteral("export"));
        QCOMPARE(rows.at(3).at(8), events.at(2).hash);
        QCOMPARE(rows.at(3).at(1), auditTimeText(events.at(2).time));

        QString path = m_directory.filePath(QStringLiteral("record.csv"));
        QVERIFY(AuditExport::writeCsv(events, path));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), csv);
        QVERIFY(!AuditExport::writeCsv(
            events, m_directory.filePath(QStringLiteral("missing/record.csv"))));
    }

    void theSessionRecordShowsWhatAnAuditorAsksFor()
    {
        auto store = AuditStore::open(m_directory.filePath(QStringLiteral("html.sqlite")));
        QVERIFY(store);
        QList<AuditEvent> events = recordedSession(**store);
        AuditSessionSummary session = AuditSessionSummary::summarize(events).value(0);
        QString html = AuditExport::sessionRecordHtml(session, events, (*store)->verify());

        QVERIFY(html.contains(QStringLiteral("Study &lt;b&gt;one&lt;/b&gt;"))); // escaped, not bold
        QVERIFY(!html.contains(QStringLiteral("<b>one</b>")));
        QVERIFY(html.contains(QStringLiteral("Readmissions")));
        QVERIFY(html.contains(QString(64, QLatin1Char('d')))); // manifest digest
        QVERIFY(html.contains(QString(64, QLatin1Char('e')))); // export hash
        QVERIFY(html.contains(QStringLiteral("key destroyed"))); // shred report
        QVERIFY(html.contains(events.last().hash));
        QVERIFY(html.contains(QStringLiteral("Hash chain intact: 5 rows checked")));

        AuditVerification broken {false, 5, 3, QStringLiteral("Row 3 was changed.")};
        QString brokenHtml = AuditExport::sessionRecordHtml(session, events, broken);
        QVERIFY(brokenHtml.contains(QStringLiteral("BROKEN")));
        QVERIFY(brokenHtml.contains(QStringLiteral("Row 3 was changed.")));
    }
};

QTEST_GUILESS_MAIN(AuditExportTest)
#include "tst_audit_export.moc"
