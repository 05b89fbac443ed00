// The shred certificate: a report's items with ticks and crosses, the verdict, the hash, the
// amber notice with the cause for an abandoned session, Copy JSON and Save as PDF.

#include "ShredCertificateDialog.h"

#include <QApplication>
#include <QClipboard>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace ui;

namespace {

QJsonObject item(
    const QString& what, const QString& method, const QString& verification, bool succeeded)
{
    return {{QStringLiteral("what"), what}, {QStringLiteral("method"), method},
        {QStringLiteral("verification"), verification}, {QStringLiteral("detail"), QString()},
        {QStringLiteral("succeeded"), succeeded},
        {QStringLiteral("startedAt"), QStringLiteral("2025-03-14T09:40:00.000Z")},
        {QStringLiteral("finishedAt"), QStringLiteral("2025-03-14T09:40:00.250Z")}};
}

QJsonObject engineReport(bool scratchFileGone)
{
    return {{QStringLiteral("succeeded"), scratchFileGone},
        {QStringLiteral("items"),
            QJsonArray {item(QStringLiteral("scratch key"),
                            QStringLiteral("key wiped with OPENSSL_cleanse"),
                            QStringLiteral("key bytes read back as zero"), true),
                item(QStringLiteral("scratch file /run/airlock/s1/scratch.img"),
                    QStringLiteral("crypto-erase + punch hole + unlink"),
                    scratchFileGone ? QStringLiteral("file no longer exists")
                                    : QStringLiteral("unlink failed: EBUSY"),
                    scratchFileGone),
                item(QStringLiteral("guest memory (2048 MiB)"),
                    QStringLiteral("zeroed with explicit_bzero, then unmapped"),
                    QStringLiteral("sampled pages read back as zero"), true)}}};
}

ShredCertificate certificate(QJsonObject report)
{
    return ShredCertificate {QStringLiteral("Cohort A review"),
        QStringLiteral("Quarterly outcome review"),
        QDateTime(QDate(2025, 3, 14), QTime(9, 0), QTimeZone::utc()),
        QDateTime(QDate(2025, 3, 14), QTime(9, 40), QTimeZone::utc()), std::move(report)};
}

} // namespace

class ShredCertificateTest : public QObject {
    Q_OBJECT

private slots:
    void aReportShowsItsItemsAndVerdict()
    {
        ShredCertificateDialog dialog(certificate(engineReport(true)));
        const QString text = dialog.documentText();
        for (const char* expected : {"Cohort A review", "Quarterly outcome review", "scratch key",
                 "key wiped with OPENSSL_cleanse", "key bytes read back as zero",
                 "scratch file /run/airlock/s1/scratch.img", "file no longer exists",
                 "guest memory (2048 MiB)", "sampled pages read back as zero"})
            QVERIFY2(text.contains(QLatin1String(expected)), expected);
        QCOMPARE(text.count(QChar(0x2714)), 3); // a tick per item
        QVERIFY(dialog.verdictText().contains(QLatin1String("all 3 items were destroyed")));
        QVERIFY(dialog.noticeText().isEmpty());
        const QByteArray compact = QJsonDocument(engineReport(true)).toJson(QJsonDocument::Compact);
        QVERIFY(text.contains(QString::fromLatin1(
            QCryptographicHash::hash(compact, QCryptographicHash::Sha256).toHex())));

        dialog.resize(820, 640);
        QVERIFY(QDir().mkpath(QStringLiteral(AIRLOCK_SCREENSHOT_DIR)));
        const QString path = QStringLiteral(AIRLOCK_SCREENSHOT_DIR "/shred-certificate-sample.png");
        QVERIFY(dialog.grab().save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }

    void aFailedItemGetsACrossAndTheVerdictSaysSo()
    {
        ShredCertificateDialog dialog(certificate(engineReport(false)));
        const QString text = dialog.documentText();
        QCOMPARE(text.count(QChar(0x2714)), 2);
        QCOMPARE(text.count(QChar(0x2718)), 1);
        QVERIFY(text.contains(QLatin1String("unlink failed: EBUSY")));
        QVERIFY2(dialog.verdictText().contains(QLatin1String("1 of 3 items")),
            qPrintable(dialog.verdictText()));
    }

    void anEmptyOrForgedReportIsNotCalledShredded()
    {
        QVERIFY(!certificate(QJsonObject {{QStringLiteral("succeeded"), true}}).succeeded());
        QJsonObject lying = engineReport(false);
        lying.insert(QStringLiteral("succeeded"), true);
        QVERIFY(!certificate(lying).succeeded());
    }

    void anAbandonedReportShowsTheCause()
    {
        QJsonObject report = engineReport(true);
        report.insert(QStringLiteral("abandoned"), true);
        report.insert(QStringLiteral("cause"), QStringLiteral("airlock-vmm was killed (SIGKILL)"));
        report.insert(QStringLiteral("completedBy"), QStringLiteral("the Airlock app"));
        ShredCertificateDialog dialog(certificate(report));
        QVERIFY2(dialog.noticeText().contains(QLatin1String("airlock-vmm was killed (SIGKILL)")),
            qPrintable(dialog.noticeText()));
        QVERIFY(dialog.noticeText().contains(QLatin1String("abandoned")));
        QVERIFY(dialog.documentText().contains(QLatin1String("airlock-vmm was killed (SIGKILL)")));

        dialog.resize(820, 640);
        QVERIFY(QDir().mkpath(QStringLiteral(AIRLOCK_SCREENSHOT_DIR)));
        const QString path =
            QStringLiteral(AIRLOCK_SCREENSHOT_DIR "/shred-certificate-abandoned.png");
        QVERIFY(dialog.grab().save(path));
    }

    void copyJsonCopiesTheReport()
    {
        ShredCertificateDialog dialog(certificate(engineReport(true)));
        dialog.copyJson();
        QCOMPARE(QJsonDocument::fromJson(QApplication::clipboard()->text().toUtf8()).object(),
            engineReport(true));
    }

    void saveAsPdfWritesAPdf()
    {
        QTemporaryDir out;
        ShredCertificateDialog dialog(certificate(engineReport(true)));
        QString suggested;
        dialog.setSavePathChooser([&](QWidget*, const QString&, const QString& name) {
            suggested = name;
            return out.filePath(name);
        });
        QVERIFY(dialog.saveAsPdf());
        QCOMPARE(suggested, QStringLiteral("airlock-shred-certificate-Cohort-A-review.pdf"));
        QFile pdf(out.filePath(suggested));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QCOMPARE(pdf.read(5), QByteArray("%PDF-"));
    }
};

QTEST_MAIN(ShredCertificateTest)
#include "tst_audit_shredcertificate.moc"
