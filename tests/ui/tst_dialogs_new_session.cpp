// NewSessionDialog, offscreen: Start stays disabled (with the reason next to the field) until
// the request is valid, drops of folders and files become datasets with their counts, a drop
// of something unusable changes nothing and says why, Ctrl+Enter starts, choices are remembered.

#include "DatasetListWidget.h"
#include "MemorySpinBox.h"
#include "NewSessionDialog.h"

#include <unistd.h>

#include <sys/stat.h>

#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QComboBox>
#include <QCheckBox>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

using ui::NewSessionDialog;

namespace {

const app::HostLimits kLimits {4, 8192};

bool writeFile(const QString& path, qint64 size)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(QByteArray(size, 'x')) == size;
}

// Sends a drag-enter and a drop of `urls` to `target`, as a file manager would; returns whether
// the drag was accepted.
bool drop(QWidget* target, const QList<QUrl>& urls, const QString& text = {})
{
    QMimeData data;
    if (!urls.isEmpty())
        data.setUrls(urls);
    if (!text.isEmpty())
        data.setText(text);
    QPoint centre = target->rect().center();
    QDragEnterEvent enter(centre, Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &enter);
    if (!enter.isAccepted())
        return false;
    QDropEvent dropped(QPointF(centre), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(target, &dropped);
    return true;
}

// The height the dialog needs at `width`, wrapped messages included.
void fitToWidth(QWidget& dialog, int width)
{
    int height = dialog.heightForWidth(width);
    dialog.resize(width, height > 0 ? height : dialog.sizeHint().height());
}

} // namespace

class NewSessionDialogTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_configHome;
    QTemporaryDir m_data;
    QString m_scans;
    QString m_labs;
    QString m_notes;

    template<typename T> static T* child(const NewSessionDialog& dialog, const char* name)
    {
        T* found = dialog.findChild<T*>(QString::fromLatin1(name));
        if (found == nullptr)
            qFatal("no child %s", name);
        return found;
    }

    static void fillValidFields(NewSessionDialog& dialog)
    {
        child<QPlainTextEdit>(dialog, "purposeEdit")
            ->setPlainText(
                QStringLiteral("Summarise discharge letters for the Q3 cardiology audit"));
    }

    static ui::DatasetListWidget* datasets(const NewSessionDialog& dialog)
    {
        return child<ui::DatasetListWidget>(dialog, "datasetList");
    }

private slots:
    void initTestCase()
    {
        // Remembered choices go to a throw-away config folder, not the user's.
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_configHome.path()));
        QCoreApplication::setOrganizationName(QStringLiteral("AirlockTests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_dialogs_new_session"));
        QDir dir(m_data.path());
        QVERIFY(dir.mkpath(QStringLiteral("scans/2024")));
        QVERIFY(dir.mkpath(QStringLiteral("labs")));
        m_scans = m_data.filePath(QStringLiteral("scans"));
        m_labs = m_data.filePath(QStringLiteral("labs"));
        m_notes = m_data.filePath(QStringLiteral("notes.txt"));
        QVERIFY(writeFile(m_scans + QStringLiteral("/a.dcm"), 512 * 1024));
        QVERIFY(writeFile(m_scans + QStringLiteral("/2024/b.dcm"), 1024 * 1024));
        QVERIFY(writeFile(m_scans + QStringLiteral("/2024/c.dcm"), 256 * 1024));
        QVERIFY(writeFile(m_labs + QStringLiteral("/results.csv"), 2000));
        QVERIFY(writeFile(m_notes, 120));
    }

    void startIsDisabledUntilAPurposeIsGiven()
    {
        NewSessionDialog dialog(kLimits, 3);
        QCOMPARE(child<QLineEdit>(dialog, "nameEdit")->text(), QStringLiteral("Session 3"));
        auto* start = child<QPushButton>(dialog, "startButton");
        auto* problem = child<QLabel>(dialog, "purposeProblem");
        QVERIFY(!start->isEnabled());
        QVERIFY(!problem->isHidden());
        QVERIFY2(problem->text().contains(QStringLiteral("purpose of use")) &&
                problem->text().contains(QStringLiteral("audit")),
            qPrintable(problem->text()));

        child<QPlainTextEdit>(dialog, "purposeEdit")->setPlainText(QStringLiteral("short"));
        QVERIFY(!start->isEnabled());
        QVERIFY(problem->text().contains(QStringLiteral("at least 10")));

        fillValidFields(dialog);
        QVERIFY(start->isEnabled());
        QVERIFY(problem->isHidden());
    }

    void aCommandWithAMissingQuoteIsShownAtTheField()
    {
        NewSessionDialog dialog(kLimits, 1);
        fillValidFields(dialog);
        auto* command = child<QLineEdit>(dialog, "commandEdit");
        auto* problem = child<QLabel>(dialog, "commandProblem");
        command->setText(QStringLiteral("python3 -c 'print(1)"));
        QVERIFY(!child<QPushButton>(dialog, "startButton")->isEnabled());
        QVERIFY(!problem->isHidden());
        QVERIFY2(
            problem->text().contains(QStringLiteral("single quote")), qPrintable(problem->text()));
        command->setText(QStringLiteral("python3 -c 'print(1)'"));
        QVERIFY(problem->isHidden());
        QCOMPARE(dialog.request().command,
            (QStringList {
                QStringLiteral("python3"), QStringLiteral("-c"), QStringLiteral("print(1)")}));
    }

    void droppedFoldersAndFilesBecomeDatasetsWithCounts()
    {
        NewSessionDialog dialog(kLimits, 1);
        fillValidFields(dialog);
        QVERIFY(drop(&dialog, {QUrl::fromLocalFile(m_scans), QUrl::fromLocalFile(m_notes)}));
        // Checked on a worker thread; Start waits for it.
        QVERIFY(dialog.isInspecting());
        QVERIFY(!child<QPushButton>(dialog, "startButton")->isEnabled());
        QVERIFY(!child<QWidget>(dialog, "inspectionProgress")->isHidden());
        QTRY_COMPARE(datasets(dialog)->count(), 2);
        QTRY_VERIFY(!dialog.isInspecting());
        QVERIFY(child<QWidget>(dialog, "inspectionProgress")->isHidden());
        QVERIFY(child<QPushButton>(dialog, "startButton")->isEnabled());

        app::SessionRequest request = dialog.request();
        QCOMPARE(request.datasets.size(), 2);
        QCOMPARE(request.datasets[0].name, QStringLiteral("scans"));
        QCOMPARE(request.datasets[0].fileCount, 3);
        QCOMPARE(request.datasets[0].totalBytes, (512 + 1024 + 256) * 1024);
        QCOMPARE(request.datasets[1].name, QStringLiteral("notes.txt"));
        auto* tree = datasets(dialog)->view();
        QCOMPARE(tree->topLevelItem(0)->text(2), QStringLiteral("3 files"));
        QVERIFY(dialog.findChild<QLabel*>(QStringLiteral("readOnlyBadge")) != nullptr);

        // A file dropped on the purpose field is a dataset too, not text typed into it.
        QString purpose = dialog.request().purpose;
        auto* purposeEdit = child<QPlainTextEdit>(dialog, "purposeEdit");
        QVERIFY(drop(purposeEdit->viewport(), {QUrl::fromLocalFile(m_labs)}));
        QTRY_COMPARE(datasets(dialog)->count(), 3);
        QCOMPARE(dialog.request().purpose, purpose);
    }

    void theSameFolderTwiceIsRefused()
    {
        NewSessionDialog dialog(kLimits, 1);
        QVERIFY(drop(&dialog, {QUrl::fromLocalFile(m_scans)}));
        QTRY_COMPARE(datasets(dialog)->count(), 1);
        QVERIFY(drop(&dialog, {QUrl::fromLocalFile(m_scans + QStringLiteral("/"))}));
        auto* message = child<QLabel>(dialog, "datasetMessage");
        QTRY_VERIFY(!message->isHidden());
        QVERIFY2(message->text().contains(QStringLiteral("already in this session")),
            qPrintable(message->text()));
        QCOMPARE(datasets(dialog)->count(), 1);
    }

    void anUnusableDropChangesNothingAndSaysWhy_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("pipe") << QStringLiteral("pipe");
        QTest::newRow("vanished") << QStringLiteral("vanished");
        QTest::newRow("unreadable") << QStringLiteral("unreadable");
    }

    void anUnusableDropChangesNothingAndSaysWhy()
    {
        QFETCH(QString, kind);
        QTemporaryDir place;
        QString bad = place.filePath(kind);
        if (kind == u"pipe") {
            QVERIFY(::mkfifo(QFile::encodeName(bad).constData(), 0600) == 0);
        } else if (kind == u"unreadable") {
            if (::geteuid() == 0)
                QSKIP("running as root, which reads every file whatever its mode; run the test "
                      "as a normal user to check this");
            QVERIFY(QDir(place.path()).mkpath(kind));
            QVERIFY(writeFile(bad + QStringLiteral("/secret.csv"), 10));
            QVERIFY(::chmod(QFile::encodeName(bad + QStringLiteral("/secret.csv")).constData(),
                        0) == 0);
        }
        NewSessionDialog dialog(kLimits, 1);
        fillValidFields(dialog);
        QVERIFY(drop(&dialog, {QUrl::fromLocalFile(m_notes)}));
        QTRY_COMPARE(datasets(dialog)->count(), 1);

        // One good folder and one bad path in the same drop: neither is added.
        QVERIFY(drop(&dialog, {QUrl::fromLocalFile(m_labs), QUrl::fromLocalFile(bad)}));
        auto* message = child<QLabel>(dialog, "datasetMessage");
        QTRY_VERIFY(!message->isHidden());
        QTRY_VERIFY(!dialog.isInspecting());
        QVERIFY2(message->text().contains(bad) &&
                message->text().contains(QStringLiteral("Nothing was added")),
            qPrintable(message->text()));
        QCOMPARE(datasets(dialog)->count(), 1);
        QVERIFY(child<QPushButton>(dialog, "startButton")->isEnabled());
    }

    void droppedTextOrAWebAddressIsExplained()
    {
        NewSessionDialog dialog(kLimits, 1);
        auto* message = child<QLabel>(dialog, "datasetMessage");
        QVERIFY(drop(&dialog, {}, QStringLiteral("some copied words")));
        QVERIFY2(message->text().contains(QStringLiteral("some copied words")),
            qPrintable(message->text()));
        QVERIFY(drop(&dialog, {QUrl(QStringLiteral("https://example.org/data.csv"))}));
        QVERIFY2(message->text().contains(QStringLiteral("https://example.org/data.csv")),
            qPrintable(message->text()));
        QVERIFY(!message->isHidden());
        QCOMPARE(datasets(dialog)->count(), 0);
        QVERIFY(!dialog.isInspecting());
    }

    void theRemoveButtonRemovesADataset()
    {
        NewSessionDialog dialog(kLimits, 1);
        QVERIFY(drop(&dialog, {QUrl::fromLocalFile(m_scans), QUrl::fromLocalFile(m_labs)}));
        QTRY_COMPARE(datasets(dialog)->count(), 2);
        auto* remove = dialog.findChild<QToolButton*>(QStringLiteral("removeDataset0"));
        QVERIFY(remove != nullptr);
        remove->click();
        QTRY_COMPARE(datasets(dialog)->count(), 1);
        QCOMPARE(dialog.request().datasets.front().name, QStringLiteral("labs"));
    }

    void ctrlEnterStartsOnlyWhenValid()
    {
        NewSessionDialog dialog(kLimits, 1);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowActive(&dialog));
        QSignalSpy accepted(&dialog, &QDialog::accepted);
        auto* purpose = child<QPlainTextEdit>(dialog, "purposeEdit");
        purpose->setFocus();
        QTest::keyClick(purpose, Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(accepted.size(), 0);
        QVERIFY(dialog.isVisible());

        QTest::keyClicks(purpose, QStringLiteral("Weekly quality report for ward 4"));
        QTest::keyClick(purpose, Qt::Key_Return, Qt::ControlModifier);
        QCOMPARE(accepted.size(), 1);
        QCOMPARE(dialog.request().purpose, QStringLiteral("Weekly quality report for ward 4"));
    }

    void resourceChoicesAreRemembered()
    {
        {
            NewSessionDialog dialog(kLimits, 1);
            QCOMPARE(child<QSpinBox>(dialog, "memorySpin")->text(), QStringLiteral("2 GiB"));
            fillValidFields(dialog);
            child<QSpinBox>(dialog, "vcpuSpin")->setValue(3);
            child<QSpinBox>(dialog, "memorySpin")->setValue(1536);
            child<QSpinBox>(dialog, "lifetimeSpin")->setValue(90);
            dialog.accept();
            QCOMPARE(dialog.result(), int(QDialog::Accepted));
        }
        NewSessionDialog next(kLimits, 2);
        QCOMPARE(next.request().vcpus, 3);
        QCOMPARE(next.request().memoryMiB, 1536);
        QCOMPARE(next.request().lifetimeMinutes, 90);
        QCOMPARE(child<QSpinBox>(next, "memorySpin")->text(), QStringLiteral("1.5 GiB"));
        QCOMPARE(child<QSpinBox>(next, "lifetimeSpin")->text(), QStringLiteral("1 h 30 min"));
        QSettings().clear();
    }

    // The main view and the screen: console by default, no other viewers unless ticked.
    void theMainViewAndScreenAreChosenAndRemembered()
    {
        {
            NewSessionDialog dialog(kLimits, 1);
            fillValidFields(dialog);
            QCOMPARE(dialog.request().mainView, app::MainView::Console);
            QVERIFY(!dialog.request().allowExternalViewers);
            auto* mainView = child<QComboBox>(dialog, "mainViewCombo");
            mainView->setCurrentIndex(mainView->findData(static_cast<int>(app::MainView::Display)));
            auto* size = child<QComboBox>(dialog, "displaySizeCombo");
            size->setCurrentIndex(size->findData(QSize(1920, 1080)));
            child<QCheckBox>(dialog, "externalViewersCheck")->setChecked(true);
            app::SessionRequest request = dialog.request();
            QCOMPARE(request.mainView, app::MainView::Display);
            QCOMPARE(request.displaySize, QSize(1920, 1080));
            QVERIFY(request.allowExternalViewers);
            dialog.accept();
            QCOMPARE(dialog.result(), int(QDialog::Accepted));
        }
        // The view and size are remembered; letting other viewers in is asked each time.
        NewSessionDialog next(kLimits, 2);
        QCOMPARE(next.request().mainView, app::MainView::Display);
        QCOMPARE(next.request().displaySize, QSize(1920, 1080));
        QVERIFY(!next.request().allowExternalViewers);
        QSettings().clear();
    }

    void sizesAndDurationsCanBeTyped_data()
    {
        QTest::addColumn<QString>("box");
        QTest::addColumn<QString>("typed");
        QTest::addColumn<int>("value");
        QTest::addColumn<QString>("shown");
        QTest::newRow("GiB short") << "memorySpin"
                                   << "3G" << 3072 << "3 GiB";
        QTest::newRow("MiB") << "memorySpin"
                             << "1536 MiB" << 1536 << "1.5 GiB";
        QTest::newRow("plain MiB") << "memorySpin"
                                   << "512" << 512 << "512 MiB";
        QTest::newRow("scratch") << "scratchSpin"
                                 << "20 GiB" << 20480 << "20 GiB";
        QTest::newRow("hours and minutes") << "lifetimeSpin"
                                           << "1h30" << 90 << "1 h 30 min";
        QTest::newRow("bare number is hours") << "lifetimeSpin"
                                              << "12" << 720 << "12 h";
        QTest::newRow("minutes") << "lifetimeSpin"
                                 << "45 min" << 45 << "45 min";
    }

    void sizesAndDurationsCanBeTyped()
    {
        QFETCH(QString, box);
        QFETCH(QString, typed);
        QFETCH(int, value);
        QFETCH(QString, shown);
        NewSessionDialog dialog(kLimits, 1);
        auto* spin = dialog.findChild<QSpinBox*>(box);
        QVERIFY(spin != nullptr);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowActive(&dialog));
        spin->setFocus();
        spin->selectAll();
        QTest::keyClicks(spin, typed);
        QTest::keyClick(spin, Qt::Key_Tab); // leaving the field commits the text
        QCOMPARE(spin->value(), value);
        QCOMPARE(spin->text(), shown);
    }

    void aFilledInDialogIsSavedAsAScreenshot()
    {
        NewSessionDialog dialog(kLimits, 3);
        fillValidFields(dialog);
        child<QLineEdit>(dialog, "commandEdit")
            ->setText(QStringLiteral("python3 /datasets/scans/summarise.py --out /outbox"));
        QVERIFY(drop(&dialog,
            {QUrl::fromLocalFile(m_scans), QUrl::fromLocalFile(m_labs),
                QUrl::fromLocalFile(m_notes)}));
        QTRY_COMPARE(datasets(dialog)->count(), 3);
        fitToWidth(dialog, 640);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QString path = QStringLiteral(AIRLOCK_SCREENSHOT_DIR "/new-session-dialog.png");
        QVERIFY(QDir().mkpath(QStringLiteral(AIRLOCK_SCREENSHOT_DIR)));
        QVERIFY(dialog.grab().save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }

    void aDialogWithProblemsIsSavedAsAScreenshot()
    {
        QTemporaryDir place;
        QString fifo = place.filePath(QStringLiteral("pipe"));
        QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        NewSessionDialog dialog(kLimits, 4);
        child<QPlainTextEdit>(dialog, "purposeEdit")->setPlainText(QStringLiteral("test"));
        child<QLineEdit>(dialog, "commandEdit")->setText(QStringLiteral("grep -c 'x /datasets"));
        QVERIFY(drop(&dialog, {QUrl::fromLocalFile(fifo)}));
        QTRY_VERIFY(!child<QLabel>(dialog, "datasetMessage")->isHidden());
        fitToWidth(dialog, 640);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QString path = QStringLiteral(AIRLOCK_SCREENSHOT_DIR "/new-session-dialog-problems.png");
        QVERIFY(dialog.grab().save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }
};

QTEST_MAIN(NewSessionDialogTest)
#include "tst_dialogs_new_session.moc"
