// The English translation the app loads at start: the "%n file(s)" strings read as English does
// it ("1 file exported", "3 files exported"), in the windows' own contexts.

#include "AppTranslations.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTest>

class TranslationsTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedKingdom));
        QVERIFY2(ui::AppTranslations::install(*QCoreApplication::instance()),
            "the embedded :/i18n/airlock_en.qm did not load");
    }

    void countsReadAsEnglish_data()
    {
        QTest::addColumn<QByteArray>("context");
        QTest::addColumn<QByteArray>("source");
        QTest::addColumn<int>("count");
        QTest::addColumn<QString>("shown");
        QTest::newRow("one file exported")
            << QByteArray("ui::OutboxPanel") << QByteArray("%n file(s) exported") << 1
            << QStringLiteral("1 file exported");
        QTest::newRow("three files exported")
            << QByteArray("ui::OutboxPanel") << QByteArray("%n file(s) exported") << 3
            << QStringLiteral("3 files exported");
        QTest::newRow("one session running")
            << QByteArray("ui::MainWindow") << QByteArray("%n session(s) running") << 1
            << QStringLiteral("1 session running");
        QTest::newRow("no events")
            << QByteArray("ui::MainWindow") << QByteArray("Audit trail: %n event(s)") << 0
            << QStringLiteral("Audit trail: 0 events");
        QTest::newRow("one unexported file")
            << QByteArray("ui::CloseQuestion")
            << QByteArray("%n outbox file(s) of \"%1\" were never exported.") << 1
            << QStringLiteral("1 outbox file of \"%1\" was never exported.");
    }

    void countsReadAsEnglish()
    {
        QFETCH(QByteArray, context);
        QFETCH(QByteArray, source);
        QFETCH(int, count);
        QFETCH(QString, shown);
        QCOMPARE(
            QCoreApplication::translate(context.constData(), source.constData(), nullptr, count),
            shown);
    }
};

QTEST_GUILESS_MAIN(TranslationsTest)
#include "tst_translations.moc"
