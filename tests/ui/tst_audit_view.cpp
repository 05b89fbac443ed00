// The audit view over a real trail with two sessions: filters narrow the timeline, the chain
// check shows an intact trail as intact and points at a tampered row, and a session's record is
// exported as CSV and PDF.

#include "AuditFilterBar.h"
#include "AuditTimelineModel.h"
#include "AuditView.h"
#include "tst_audit_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace ui;

namespace {

const QString kFirst = QStringLiteral("1b4e28ba-2fa1-11d2-883f-0016d3cca427");
const QString kSecond = QStringLiteral("6fa459ea-ee8a-3ca4-894e-db77e160355e");

app::AuditEvent by(app::AuditEvent event, const QString& user)
{
    event.user = user;
    return event;
}

QJsonObject sampleShredReport()
{
    QJsonObject item {{QStringLiteral("what"), QStringLiteral("scratch key")},
        {QStringLiteral("method"), QStringLiteral("key wiped with OPENSSL_cleanse")},
        {QStringLiteral("verification"), QStringLiteral("key bytes read back as zero")},
        {QStringLiteral("detail"), QString()}, {QStringLiteral("succeeded"), true},
        {QStringLiteral("startedAt"), QStringLiteral("2025-03-14T09:40:00.000Z")},
        {QStringLiteral("finishedAt"), QStringLiteral("2025-03-14T09:40:00.010Z")}};
    return {{QStringLiteral("succeeded"), true}, {QStringLiteral("items"), QJsonArray {item}}};
}

// Rows 1..13: the app started, then two sessions by two users.
bool fill(app::AuditStore& store)
{
    using namespace app::AuditEvents;
    const QString alice = QStringLiteral("alice");
    const QString bob = QStringLiteral("bob");
    const QList<app::AuditEvent> events {
        by(appStarted(QStringLiteral("0.4.0")), alice),
        by(sessionCreated(kFirst, QStringLiteral("Cohort A review"),
               QStringLiteral("Quarterly outcome review"), QStringLiteral("/bin/sh"), 2, 2048,
               3600),
            alice),
        by(datasetMounted(kFirst, QStringLiteral("cohort-a"), QStringLiteral("/data/cohort-a"),
               123456, 12, QString(64, QLatin1Char('a'))),
            alice),
        by(sessionState(kFirst, QStringLiteral("running")), alice),
        by(exported(kFirst, QStringLiteral("result.csv"), QStringLiteral("/home/alice/result.csv"),
               42, QString(64, QLatin1Char('c'))),
            alice),
        by(shredReport(kFirst, sampleShredReport()), alice),
        by(sessionEnded(kFirst, 0, QStringLiteral("the command finished")), alice),
        by(sessionCreated(kSecond, QStringLiteral("Trial B"), QStringLiteral("Adverse events"),
               QStringLiteral("python3 analyse.py"), 4, 4096, 7200),
            bob),
        by(datasetMounted(kSecond, QStringLiteral("trial-b"), QStringLiteral("/data/trial-b"), 999,
               3, QString(64, QLatin1Char('b'))),
            bob),
        by(sessionState(kSecond, QStringLiteral("running")), bob),
        by(engineError(kSecond, QStringLiteral("KVM_RUN failed: EINTR")), bob),
        by(shredReport(kSecond, sampleShredReport()), bob),
        by(sessionEnded(kSecond, std::nullopt, QStringLiteral("stopped by the user")), bob),
    };
    for (const app::AuditEvent& event : events) {
        if (!store.append(event))
            return false;
    }
    return true;
}

QSet<QString> sessionsShown(const AuditTimelineModel& model)
{
    QSet<QString> sessions;
    for (int row = 0; row < model.rowCount(); ++row)
        sessions.insert(model.event(row).sessionId);
    return sessions;
}

} // namespace

class AuditViewTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_folder;
    QString m_path;
    std::unique_ptr<app::AuditStore> m_store;

    void screenshot(AuditView& view, const char* name)
    {
        view.resize(1180, 560);
        QVERIFY(QDir().mkpath(QStringLiteral(AIRLOCK_SCREENSHOT_DIR)));
        const QString path = QStringLiteral(AIRLOCK_SCREENSHOT_DIR "/") + QLatin1String(name);
        QVERIFY(view.grab().save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }

    app::AuditVerification verify(AuditView& view)
    {
        QSignalSpy verified(&view, &AuditView::verified);
        view.verifyChain();
        // The outcome may arrive before wait() starts.
        if (verified.isEmpty())
            verified.wait(10000);
        if (verified.isEmpty())
            return {};
        return verified.first().first().value<app::AuditVerification>();
    }

private slots:
    void init()
    {
        m_store.reset();
        m_path =
            m_folder.filePath(QStringLiteral("audit-%1.sqlite").arg(QTest::currentTestFunction()));
        auto store = app::AuditStore::open(m_path);
        QVERIFY2(store, store ? "" : qPrintable(store.error().message));
        m_store = std::move(*store);
        QVERIFY(fill(*m_store));
    }

    void cleanup() { m_store.reset(); }

    void filtersNarrowTheTimeline()
    {
        AuditView view(*m_store);
        AuditTimelineModel* model = view.model();
        AuditFilterBar* filters = view.filterBar();
        QCOMPARE(model->rowCount(), 13);
        // Session names, not ids, in the timeline.
        QCOMPARE(model->index(1, AuditTimelineModel::SessionColumn).data().toString(),
            QStringLiteral("Cohort A review"));

        filters->setSession(kSecond);
        QCOMPARE(model->rowCount(), 6);
        QCOMPARE(sessionsShown(*model), QSet<QString> {kSecond});

        filters->setSession({});
        filters->setDataset(QStringLiteral("cohort-a"));
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->event(0).kind, app::AuditEventKind::DatasetMounted);

        filters->setDataset({});
        filters->setUser(QStringLiteral("bob"));
        QCOMPARE(model->rowCount(), 6);

        filters->setUser({});
        filters->setKinds({app::AuditEventKind::Export, app::AuditEventKind::EngineError});
        QCOMPARE(model->rowCount(), 2);
        filters->setKinds({});

        filters->setSearchText(QStringLiteral("EINTR"));
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->event(0).kind, app::AuditEventKind::EngineError);
        filters->setSearchText({});

        // Every event was written today: tomorrow onwards shows nothing, today shows all.
        filters->setDateRange(QDate::currentDate().addDays(1), {});
        QCOMPARE(model->rowCount(), 0);
        filters->setDateRange(QDate::currentDate(), QDate::currentDate());
        QCOMPARE(model->rowCount(), 13);
    }

    void theDetailsPaneShowsTheWholeRowAndItsHash()
    {
        AuditView view(*m_store);
        view.timelineView()->selectRow(2);
        const QString details = view.detailsText();
        QVERIFY(details.contains(view.model()->event(2).hash));
        QVERIFY(details.contains(QLatin1String("\"manifestSha256\"")));
        QVERIFY(details.contains(QLatin1String("/data/cohort-a")));
    }

    void verifyOnAnIntactTrailSaysIntact()
    {
        AuditView view(*m_store);
        QList<app::AuditVerification> recorded;
        view.setVerificationRecorder(
            [&recorded](const app::AuditVerification& outcome) { recorded.append(outcome); });
        const app::AuditVerification outcome = verify(view);
        QVERIFY(outcome.intact);
        QCOMPARE(recorded.size(), 1);
        QVERIFY(recorded.first().intact);
        QVERIFY2(view.bannerText().contains(QLatin1String("Intact: 13 rows checked")),
            qPrintable(view.bannerText()));
        // The view itself wrote nothing: the owner records the outcome.
        QCOMPARE(m_store->head()->lastId, 13);
        screenshot(view, "audit-view-intact.png");
    }

    void verifyOnATamperedTrailPointsAtTheRow()
    {
        {
            RawDatabase raw(m_path);
            QVERIFY(raw.dropTriggers());
            QVERIFY(raw.exec(QStringLiteral("UPDATE events SET details = ? WHERE id = 3"),
                {QStringLiteral("{\"dataset\":\"cohort-a\",\"fileCount\":11}")}));
        }
        AuditView view(*m_store);
        // Row 3 belongs to the first session; look at the second, so that the view must show
        // everything again to point at it.
        view.filterBar()->setSession(kSecond);
        QCOMPARE(view.model()->rowOfId(3), -1);
        const app::AuditVerification outcome = verify(view);
        QVERIFY(!outcome.intact);
        QVERIFY2(outcome.firstBrokenRow.value_or(0) == 3, qPrintable(outcome.problem));
        QVERIFY2(view.bannerText().contains(QLatin1String("Broken at row 3")),
            qPrintable(view.bannerText()));
        const QModelIndex current = view.timelineView()->currentIndex();
        QVERIFY(current.isValid());
        QCOMPARE(view.model()->event(current.row()).id, 3);
        QVERIFY(view.timelineView()->selectionModel()->isRowSelected(current.row(), {}));
        screenshot(view, "audit-view-broken.png");
    }

    void aSessionIsExportedAsCsvAndPdf()
    {
        AuditView view(*m_store);
        QTemporaryDir out;
        QString asked;
        view.setSavePathChooser(
            [&](QWidget*, const QString&, const QString& suggested, const QString&) {
                asked = suggested;
                return out.filePath(suggested);
            });
        view.filterBar()->setSession(kFirst);
        view.exportSessionCsv();
        QCOMPARE(asked, QStringLiteral("airlock-audit-Cohort-A-review.csv"));
        QFile csv(out.filePath(asked));
        QVERIFY2(csv.open(QIODevice::ReadOnly), qPrintable(view.statusText()));
        const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
        QVERIFY(lines.first().startsWith("id,time,user"));
        QCOMPARE(lines.size(), 1 + 6);
        for (const QByteArray& line : lines.mid(1)) {
            QVERIFY(line.contains(kFirst.toUtf8()));
            QVERIFY(!line.contains(kSecond.toUtf8()));
        }

        QSignalSpy exported(&view, &AuditView::sessionExported);
        view.exportSessionPdf();
        QTRY_VERIFY2_WITH_TIMEOUT(exported.size() == 1, qPrintable(view.statusText()), 10000);
        QFile pdf(exported.first().first().toString());
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
    }

    void exportWithoutASessionSaysWhatToDo()
    {
        AuditView view(*m_store);
        bool asked = false;
        view.setSavePathChooser([&](QWidget*, const QString&, const QString&, const QString&) {
            asked = true;
            return QString();
        });
        view.exportSessionCsv();
        QVERIFY(!asked);
        QVERIFY(view.statusText().contains(QLatin1String("Choose a session")));
    }
};

QTEST_MAIN(AuditViewTest)
#include "tst_audit_view.moc"
