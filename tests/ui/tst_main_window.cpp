// The main window, offscreen and without KVM (sessions run the fake airlock-vmm): the empty
// state says what to do, a drop of folders opens the new-session dialog with them, a drop of
// something that is not a file says why and opens nothing, Ctrl+N opens the dialog, a drop on
// a running session's row says plainly that hot-add is not available yet, the list shows
// sessions with their state and datasets, the window remembers its geometry and columns, and
// quitting with sessions running asks, then shreds them before the window goes.

#include "DatasetListWidget.h"
#include "MainWindow.h"
#include "NewSessionDialog.h"
#include "SessionListModel.h"
#include "SessionListView.h"
#include "session/DatasetInspector.h"
#include "tst_sessionwindow_support.h"

#include <QAbstractButton>
#include <QAction>
#include <QDragEnterEvent>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QStatusBar>
#include <QMimeData>
#include <QProgressDialog>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>

using app::EngineState;
using ui::MainWindow;

namespace {

// Drags `urls` onto `target` and drops them there at `point`, as a file manager would.
bool drop(QWidget* target, const QList<QUrl>& urls, QPoint point = {})
{
    QMimeData data;
    data.setUrls(urls);
    if (point.isNull())
        point = target->rect().center();
    QDragEnterEvent enter(point, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    if (!enter.isAccepted())
        return false;
    QDropEvent dropped(QPointF(point), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &dropped);
    return true;
}

} // namespace

class MainWindowTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

    QString makeFolder(const QString& name, int files)
    {
        QString path = m_directory.filePath(name);
        QDir().mkpath(path);
        for (int i = 0; i < files; ++i) {
            QFile file(QStringLiteral("%1/record-%2.csv").arg(path).arg(i));
            if (file.open(QIODevice::WriteOnly))
                file.write("id,age\n1,42\n");
        }
        return path;
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<app::EngineState>();
        QVERIFY(m_directory.isValid());
        QVERIFY(useRuntimeDirectory(m_directory));
        QCoreApplication::setOrganizationName(QStringLiteral("AirlockTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_main_window"));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(
            QSettings::IniFormat, QSettings::UserScope, m_directory.filePath("config"));
    }

    void theEmptyStateSaysWhatToDo()
    {
        auto manager = makeFakeManager(m_directory);
        QVERIFY(manager);
        MainWindow window(*manager);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.sessionModel()->rowCount(), 0);
        QCOMPARE(window.sessionList()->placeholderText(),
            QStringLiteral("Drop a folder or file here to start a session"));
        QVERIFY(!window.findChild<QAction*>(QStringLiteral("openSessionAction"))->isEnabled());
        QVERIFY(!window.findChild<QAction*>(QStringLiteral("stopSessionAction"))->isEnabled());
        QCOMPARE(window.findChild<QLabel*>(QStringLiteral("runningStatus"))->text(),
            QStringLiteral("No sessions running"));
        QCOMPARE(window.findChild<QLabel*>(QStringLiteral("engineStatus"))->text(),
            manager->engineLocation().statusMessage);
        // app-started is in the trail, and the status bar counts it.
        QVERIFY2(
            window.findChild<QLabel*>(QStringLiteral("auditStatus"))->text().contains("1 event(s)"),
            qPrintable(window.findChild<QLabel*>(QStringLiteral("auditStatus"))->text()));
    }

    void aDropOfTwoFoldersOpensTheNewSessionDialogWithBoth()
    {
        auto manager = makeFakeManager(m_directory);
        MainWindow window(*manager);
        window.show();
        QString scans = makeFolder(QStringLiteral("scans"), 2);
        QString notes = makeFolder(QStringLiteral("notes"), 3);
        QVERIFY(drop(&window, {QUrl::fromLocalFile(scans), QUrl::fromLocalFile(notes)}));
        ui::NewSessionDialog* dialog = window.newSessionDialog();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        auto* datasets = dialog->findChild<ui::DatasetListWidget*>(QStringLiteral("datasetList"));
        QTRY_COMPARE(datasets->count(), 2);
        QStringList names {datasets->sources().at(0).name, datasets->sources().at(1).name};
        names.sort();
        QCOMPARE(names, (QStringList {QStringLiteral("notes"), QStringLiteral("scans")}));

        // A second drop (here on the empty list) adds to the dialog being filled in.
        QString labs = makeFolder(QStringLiteral("labs"), 1);
        QVERIFY(drop(window.sessionList()->viewport(), {QUrl::fromLocalFile(labs)}));
        QCOMPARE(window.findChildren<ui::NewSessionDialog*>().size(), 1);
        QTRY_COMPARE(datasets->count(), 3);
    }

    void aDroppedWebAddressSaysWhyAndOpensNoDialog()
    {
        auto manager = makeFakeManager(m_directory);
        MainWindow window(*manager);
        window.show();
        drop(&window, {QUrl(QStringLiteral("https://example.org/patients.csv"))});
        auto* message = window.findChild<QMessageBox*>(QStringLiteral("dropProblem"));
        QVERIFY(message);
        QVERIFY(message->isVisible());
        QVERIFY2(
            message->text().contains(QStringLiteral("example.org")), qPrintable(message->text()));
        QVERIFY(!window.newSessionDialog());
        QVERIFY(window.findChildren<ui::NewSessionDialog*>().isEmpty());
    }

    void ctrlNOpensTheNewSessionDialog()
    {
        auto manager = makeFakeManager(m_directory);
        MainWindow window(*manager);
        window.show();
        QApplication::setActiveWindow(&window);
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keyClick(&window, Qt::Key_N, Qt::ControlModifier);
        QVERIFY(window.newSessionDialog());
        QTRY_VERIFY(window.newSessionDialog()->isVisible());
        QVERIFY(window.newSessionDialog()
                    ->findChild<QLineEdit*>(QStringLiteral("nameEdit"))
                    ->text()
                    .contains(QStringLiteral("Session 1")));
    }

    void settingsRoundTripGeometryAndColumns()
    {
        auto manager = makeFakeManager(m_directory);
        {
            MainWindow window(*manager);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.resize(777, 555);
            // The name column stretches (two-line cells); the CPU column is the one to size.
            window.sessionList()->setColumnWidth(ui::SessionListModel::CpuColumn, 313);
            QTRY_COMPARE(window.size(), QSize(777, 555));
            QVERIFY(window.close()); // nothing runs: it closes and saves
        }
        MainWindow again(*manager);
        QCOMPARE(again.size(), QSize(777, 555));
        QCOMPARE(again.sessionList()->columnWidth(ui::SessionListModel::CpuColumn), 313);
    }

    void sessionsAreListedAndADropOnARunningOneSaysHotAddIsNotAvailable()
    {
        auto manager = makeFakeManager(m_directory);
        MainWindow window(*manager);
        window.resize(1000, 360);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        app::SessionRequest cohort = runningRequest(QStringLiteral("Cohort A — readmissions"));
        cohort.datasets = {*app::DatasetInspector::inspect(makeFolder("admissions-2024", 4)),
            *app::DatasetInspector::inspect(makeFolder("discharge-notes", 2))};
        auto first = manager->startSession(cohort);
        QVERIFY2(first, first ? "" : qPrintable(first.error().message));
        auto second = manager->startSession(runningRequest(QStringLiteral("Imaging triage")));
        QVERIFY(second);
        QCOMPARE(window.sessionModel()->rowCount(), 2);
        QTRY_COMPARE_WITH_TIMEOUT((*first)->engine().state(), EngineState::Running, 10000);
        QTRY_COMPARE_WITH_TIMEOUT((*second)->engine().state(), EngineState::Running, 10000);
        QCOMPARE(window.sessionModel()->index(0, ui::SessionListModel::StateColumn).data(),
            QVariant(QStringLiteral("Running")));
        QCOMPARE(window.sessionModel()->index(0, ui::SessionListModel::DatasetsColumn).data(),
            QVariant(QStringLiteral("admissions-2024, discharge-notes")));
        QCOMPARE(window.findChild<QLabel*>(QStringLiteral("runningStatus"))->text(),
            QStringLiteral("2 session(s) running"));
        // A few seconds of metrics for the sparklines, then the screenshot users see.
        QTRY_VERIFY_WITH_TIMEOUT(window.sessionModel()
                                     ->index(0, ui::SessionListModel::CpuColumn)
                                     .data(ui::SessionListModel::CpuValuesRole)
                                     .value<QList<double>>()
                                     .size() >= 3,
            6000);
        // Each row is two lines: name and state badge, then uptime, datasets and purpose (the
        // state, uptime and datasets columns are drawn there, not on their own).
        ui::SessionListView* list = window.sessionList();
        QVERIFY(list->visualRect(window.sessionModel()->index(0, 0)).height() >=
            2 * list->fontMetrics().height());
        QVERIFY(list->isColumnHidden(ui::SessionListModel::StateColumn));
        QVERIFY(list->isColumnHidden(ui::SessionListModel::DatasetsColumn));
        QVERIFY(!list->isColumnHidden(ui::SessionListModel::CpuColumn));
        QVERIFY(window.sessionModel()
                    ->index(0, ui::SessionListModel::NameColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("Readmission review for study 12")));
        // Named apart from tst_app_screenshots' main-window.png, taken with a real session.
        QDir().mkpath(QStringLiteral(AIRLOCK_SCREENSHOT_DIR));
        QVERIFY(window.grab().save(
            QStringLiteral(AIRLOCK_SCREENSHOT_DIR "/main-window-fake-engine.png")));

        QRect row = window.sessionList()->visualRect(window.sessionModel()->index(1, 0));
        QVERIFY(drop(window.sessionList()->viewport(),
            {QUrl::fromLocalFile(makeFolder("late-arrivals", 1))}, row.center()));
        // A drop on a running session adds it there (inspected first, then sent to the engine,
        // which answers once the guest has it mounted): no new session, no refusal.
        QTRY_VERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("Adding")));
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("Imaging triage")));
        QVERIFY(!window.findChild<QMessageBox*>(QStringLiteral("hotAddMessage")));
        QVERIFY(!window.findChild<QMessageBox*>(QStringLiteral("datasetAddProblem")));
        QVERIFY2(!window.newSessionDialog(), "a drop on a running session starts nothing new");

        // Something that cannot be a dataset (here a folder that vanished before the drop landed;
        // tests run as root in CI, so permissions would not stop it) is named, nothing is sent.
        QString locked = makeFolder("locked away", 1);
        QVERIFY(QDir(locked).removeRecursively());
        QVERIFY(drop(window.sessionList()->viewport(), {QUrl::fromLocalFile(locked)}, row.center()));
        QMessageBox* problem = nullptr;
        QTRY_VERIFY((problem = window.findChild<QMessageBox*>(QStringLiteral("datasetAddProblem"))));
        QVERIFY2(problem->text().contains(QStringLiteral("locked away")), qPrintable(problem->text()));
        QVERIFY(problem->windowTitle().contains(QStringLiteral("Imaging triage")));
        problem->close();
    }

    void quittingWithSessionsRunningAsksThenShredsThemFirst()
    {
        auto manager = makeFakeManager(m_directory);
        MainWindow window(*manager);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto started = manager->startSession(runningRequest(QStringLiteral("cohort")));
        QVERIFY(started);
        QTRY_COMPARE_WITH_TIMEOUT((*started)->engine().state(), EngineState::Running, 10000);

        QTest::keyClick(&window, Qt::Key_Q, Qt::ControlModifier);
        auto* question = window.findChild<QMessageBox*>(QStringLiteral("quitQuestion"));
        QVERIFY(question);
        QVERIFY(question->text().contains(QStringLiteral("1 session(s) still running")));
        question->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY(!window.findChild<QMessageBox*>(QStringLiteral("quitQuestion")));
        QVERIFY(window.isVisible());
        QCOMPARE((*started)->engine().state(), EngineState::Running);

        window.requestQuit();
        question = window.findChild<QMessageBox*>(QStringLiteral("quitQuestion"));
        QTRY_VERIFY(question && question->isVisible());
        QAbstractButton* quit = nullptr;
        for (QAbstractButton* button : question->buttons())
            if (button->text() == QStringLiteral("Stop, shred and quit"))
                quit = button;
        QVERIFY(quit);
        quit->click();
        QVERIFY(window.findChild<QProgressDialog*>(QStringLiteral("shutdownProgress")));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), 15000);
        QVERIFY((*started)->isEnded());
        QVERIFY((*started)->shredReport().has_value());
    }
};

QTEST_MAIN(MainWindowTest)
#include "tst_main_window.moc"
