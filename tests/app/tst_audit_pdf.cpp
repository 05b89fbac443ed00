// The session record as a PDF for the auditor, made without a display (offscreen platform).

#include "audit/AuditEvents.h"
#include "audit/AuditExport.h"
#include "audit/AuditSessionSummary.h"
#include "audit/pdf/AuditPdf.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace app;

class AuditPdfTest : public QObject {
    Q_OBJECT

private slots:
    void theRecordBecomesAPdf()
    {
        QTemporaryDir directory;
        QList<AuditEvent> events;
        for (int row = 1; row <= 120; ++row) { // more than a page
            AuditEvent event =
                AuditEvents::sessionState(QStringLiteral("s-1"), QStringLiteral("running"));
            event.id = row;
            event.time = QDateTime::currentDateTimeUtc();
            event.hash = QString(64, QLatin1Char('f'));
            events << event;
        }
        AuditSessionSummary session = AuditSessionSummary::summarize(events).value(0);
        QString html = AuditExport::sessionRecordHtml(session, events, {true, 120, {}, {}});

        QString path = directory.filePath(QStringLiteral("record.pdf"));
        auto written = AuditPdf::write(html, path);
        QVERIFY2(written, qPrintable(written ? QString() : written.error().message));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray pdf = file.readAll();
        QVERIFY(pdf.startsWith("%PDF-"));
        QVERIFY(pdf.trimmed().endsWith("%%EOF"));
        // One page object per page: the 120-row timeline ran onto more than one.
        qsizetype pages = 0;
        auto pageObjects = QRegularExpression(QStringLiteral("/Type\\s*/Page(?!s)"))
                               .globalMatch(QString::fromLatin1(pdf));
        for (; pageObjects.hasNext(); pageObjects.next())
            ++pages;
        QVERIFY2(pages >= 2, qPrintable(QString::number(pages)));

        auto refused =
            AuditPdf::write(html, directory.filePath(QStringLiteral("missing/record.pdf")));
        QVERIFY(!refused);
        QVERIFY(refused.error().message.contains(QStringLiteral("could not be written")));
    }
};

QTEST_MAIN(AuditPdfTest)
#include "tst_audit_pdf.moc"
