// Closing a session window (no KVM; the fake airlock-vmm): the question lists unexported outbox
// files and offers Export, Shred anyway and Cancel with a safe default; Ctrl+W on a running
// session asks before anything is destroyed, Cancel keeps it running, Shred anyway stops and
// shreds it and shows the shred certificate; the window of an ended session just closes.

#include "CloseQuestion.h"
#include "SessionHeader.h"
#include "SessionWindow.h"
#include "ShredCertificateDialog.h"
#include "tst_sessionwindow_support.h"

#include <QAbstractButton>
#include <QAction>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using app::EngineState;
using ui::CloseQuestion;

class SessionWindowCloseTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

    // The question the window opened (waits for the outbox check).
    CloseQuestion* waitForQuestion(QWidget* window)
    {
        CloseQuestion* question = nullptr;
        [[maybe_unused]] bool shown = QTest::qWaitFor(
            [&] {
                question = window->findChild<CloseQuestion*>();
                return question && question->isVisible();
            },
            10000);
        return question;
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<app::EngineState>();
        QVERIFY(m_directory.isValid());
        QVERIFY(useRuntimeDirectory(m_directory));
    }

    void theQuestionListsUnexportedFilesAndDefaultsToExport()
    {
        CloseQuestion question(QStringLiteral("cohort"),
            {QStringLiteral("summary.csv"), QStringLiteral("plots/age.png")}, QString());
        QVERIFY(question.text().contains(QStringLiteral("2 outbox file")));
        QVERIFY(question.informativeText().contains(QStringLiteral("summary.csv")));
        QVERIFY(question.informativeText().contains(QStringLiteral("plots/age.png")));
        QVERIFY(question.exportButton());
        QCOMPARE(question.shredButton()->text(), QStringLiteral("Shred anyway"));
        QCOMPARE(question.defaultButton(), question.exportButton());
        QCOMPARE(question.choice(), CloseQuestion::Choice::Cancel);
        question.shredButton()->click();
        QCOMPARE(question.choice(), CloseQuestion::Choice::Shred);
    }

    void anOutboxThatCannotBeCheckedIsSaidAndNothingIsExportable()
    {
        CloseQuestion question(
            QStringLiteral("cohort"), {}, QStringLiteral("The guest agent does not answer."));
        QVERIFY(question.text().contains(QStringLiteral("could not be checked")));
        QVERIFY(question.informativeText().contains(QStringLiteral("does not answer")));
        QVERIFY(!question.exportButton());
        QCOMPARE(question.shredButton()->text(), QStringLiteral("Shred anyway"));
        QCOMPARE(question.defaultButton()->objectName(), QStringLiteral("cancelButton"));
    }

    void ctrlWAsksAndCancelKeepsTheSessionRunning()
    {
        auto manager = makeFakeManager(m_directory);
        QVERIFY(manager);
        auto started = manager->startSession(runningRequest(QStringLiteral("cohort")));
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
        app::ManagedSession* session = *started;
        QTRY_COMPARE_WITH_TIMEOUT(session->engine().state(), EngineState::Running, 10000);

        ui::SessionWindow window(*session);
        window.show();
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_W, Qt::ControlModifier);
        CloseQuestion* question = waitForQuestion(&window);
        QVERIFY(question);
        QVERIFY(question->windowTitle().contains(QStringLiteral("cohort")));
        question->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY(!window.findChild<CloseQuestion*>());
        QCOMPARE(session->engine().state(), EngineState::Running);
        QVERIFY(window.isVisible());

        // The window's close button asks too: a running session never goes with its window.
        window.close();
        QVERIFY(window.isVisible());
        question = waitForQuestion(&window);
        QVERIFY(question);
        question->button(QMessageBox::Cancel)->click();
        QCOMPARE(session->engine().state(), EngineState::Running);
        manager->closeAll();
        QSignalSpy closed(manager.get(), &app::SessionManager::allClosed);
        QVERIFY(session->isEnded() || closed.wait(10000));
    }

    void shredAnywayStopsShredsAndShowsTheReport()
    {
        auto manager = makeFakeManager(m_directory);
        QVERIFY(manager);
        auto started = manager->startSession(runningRequest(QStringLiteral("cohort")));
        QVERIFY(started);
        app::ManagedSession* session = *started;
        QTRY_COMPARE_WITH_TIMEOUT(session->engine().state(), EngineState::Running, 10000);

        ui::SessionWindow window(*session);
        window.show();
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QSignalSpy closedAfterEnd(&window, &ui::SessionWindow::closedAfterEnd);
        window.requestStopAndShred();
        CloseQuestion* question = waitForQuestion(&window);
        QVERIFY(question);
        question->shredButton()->click();

        QTRY_VERIFY_WITH_TIMEOUT(session->isEnded(), 10000);
        QCOMPARE(window.header()->stateText(), QStringLiteral("Ended"));
        ui::ShredCertificateDialog* certificate = nullptr;
        QTRY_VERIFY((certificate = window.findChild<ui::ShredCertificateDialog*>()) &&
            certificate->isVisible());
        QCOMPARE(certificate->certificate().sessionName, QStringLiteral("cohort"));
        QCOMPARE(certificate->certificate().report, *session->shredReport());
        QVERIFY(!certificate->certificate().items().isEmpty());
        certificate->close();
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));

        // Once the session has ended, Stop & shred (Ctrl+W) just closes its window.
        auto* stop = window.findChild<QAction*>(QStringLiteral("stopAction"));
        QVERIFY(stop->isEnabled());
        stop->trigger();
        QTRY_VERIFY(!window.isVisible());
        QCOMPARE(closedAfterEnd.size(), 1);
        QVERIFY(manager->forget(session));
    }
};

QTEST_MAIN(SessionWindowCloseTest)
#include "tst_sessionwindow_close.moc"
