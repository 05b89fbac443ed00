// DropParser: a drop from a file manager gives local paths; a web address, another scheme or
// plain text is refused with a message that names what was dropped.

#include "DropParser.h"

#include <QMimeData>
#include <QTest>
#include <QUrl>

using app::DropParser;

class SessionDropTest : public QObject {
    Q_OBJECT

private slots:
    void fileUrlsGiveLocalPaths()
    {
        QMimeData data;
        data.setUrls({QUrl::fromLocalFile(QStringLiteral("/data/scans/")),
            QUrl(QStringLiteral("file://localhost/data/report%20final.pdf")),
            QUrl::fromLocalFile(QStringLiteral("/data/scans"))});
        QVERIFY(DropParser::mayHoldFiles(&data));
        app::Result<QStringList> paths = DropParser::localPaths(&data);
        QVERIFY2(paths.has_value(), paths ? "" : qPrintable(paths.error().message));
        // Cleaned, decoded, and the same folder once.
        QCOMPARE(*paths,
            (QStringList {
                QStringLiteral("/data/scans"), QStringLiteral("/data/report final.pdf")}));
    }

    void aWebAddressIsRefusedByName()
    {
        QMimeData data;
        data.setUrls({QUrl::fromLocalFile(QStringLiteral("/data/scans")),
            QUrl(QStringLiteral("https://example.org/cohort.csv"))});
        app::Result<QStringList> paths = DropParser::localPaths(&data);
        QVERIFY(!paths.has_value()); // all or nothing: the local folder is not added either
        QVERIFY2(paths.error().message.contains(QStringLiteral("https://example.org/cohort.csv")) &&
                paths.error().message.contains(QStringLiteral("Download")),
            qPrintable(paths.error().message));
    }

    void otherSchemesAndHostsAreRefused()
    {
        QMimeData remote;
        remote.setUrls({QUrl(QStringLiteral("sftp://server/home/x.csv"))});
        app::Result<QStringList> paths = DropParser::localPaths(&remote);
        QVERIFY(!paths.has_value());
        QVERIFY2(paths.error().message.contains(QStringLiteral("sftp:")),
            qPrintable(paths.error().message));

        QMimeData otherHost;
        otherHost.setUrls({QUrl(QStringLiteral("file://fileserver/share/x.csv"))});
        paths = DropParser::localPaths(&otherHost);
        QVERIFY(!paths.has_value());
        QVERIFY2(paths.error().message.contains(QStringLiteral("fileserver")),
            qPrintable(paths.error().message));
    }

    void plainTextIsRefusedWithWhatItWas()
    {
        QMimeData data;
        data.setText(QStringLiteral("patient list\nline two"));
        QVERIFY(DropParser::mayHoldFiles(&data)); // accepted at drag-enter, so the drop can explain
        app::Result<QStringList> paths = DropParser::localPaths(&data);
        QVERIFY(!paths.has_value());
        QVERIFY2(paths.error().message.contains(QStringLiteral("text (“patient list line two”)")),
            qPrintable(paths.error().message));
    }

    void anImageIsNotAFileDrop()
    {
        QMimeData data;
        data.setData(QStringLiteral("image/png"), QByteArray("\x89PNG"));
        QVERIFY(!DropParser::mayHoldFiles(&data));
        QVERIFY(!DropParser::localPaths(&data).has_value());
    }
};

QTEST_GUILESS_MAIN(SessionDropTest)
#include "tst_session_drop.moc"
