// Screenshots of a real session (issue 4, "What must be shown"), taken as a user would see it:
// the real MainWindow over the real SessionManager, a fresh audit trail, and a session that runs
// the guest of this build with real KVM, through the KVM lab where this machine has none (the
// app's normal path, which the status bar must name). The guest lists its dataset in colour and
// then, every second, hashes some random data and prints a coloured progress line; once, it writes
// a CSV summary of the dataset to /outbox. The test waits for that output and ten seconds of
// graphs, saves main-window.png, session-window.png (console and graphs) and session-outbox.png
// (the outbox with the CSV previewed), exports the CSV through the outbox panel, stops and shreds
// the session (saving shred-certificate.png) and verifies the audit trail (audit-view.png), all in
// ${CMAKE_BINARY_DIR}/screenshots. Slow (a lab boot): runs only where /dev/kvm opens or with
// AIRLOCK_TEST_LAB_RELAY=1, SKIPPED otherwise.

#include "AuditFilterBar.h"
#include "AuditTimelineModel.h"
#include "AuditView.h"
#include "CloseQuestion.h"
#include "MainWindow.h"
#include "ManagedSession.h"
#include "OutboxFileModel.h"
#include "OutboxPanel.h"
#include "OutboxPreview.h"
#include "SessionGraphs.h"
#include "SessionListModel.h"
#include "SessionLiveView.h"
#include "SessionManager.h"
#include "DisplayConnection.h"
#include "SessionDisplayTab.h"
#include "SessionWindow.h"
#include "ShredCertificateDialog.h"
#include "TerminalView.h"
#include "audit/AuditStore.h"
#include "engine/EngineLocator.h"
#include "session/DatasetInspector.h"

#ifdef AIRLOCK_HAVE_TRANSLATIONS
#include "AppTranslations.h"
#endif

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

#include <QAbstractButton>
#include <QApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QJsonObject>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using app::EngineState;

namespace {

// The engine's hello through the lab can take minutes on a busy 2-core machine (tests/lab/README).
constexpr int kRunningTimeoutMs = 420'000;
// The guest's first output and ten seconds of metrics once it runs.
constexpr int kOutputTimeoutMs = 240'000;
// A clean close: the agent powers the guest off, the engine shreds and reports.
constexpr int kEndTimeoutMs = 180'000;

const QString kDatasetName = QStringLiteral("cohort-2024");
const QString kSummaryName = QStringLiteral("readmissions.csv");

// The guest's command. No double quotes and no line breaks: the words go on the kernel command
// line. /outbox/.part then mv: the summary appears under its name only when complete.
const QString kScript = QStringLiteral(
    "cd /datasets/cohort-2024 || exit 1; "
    "printf '\\033[1;36m== Readmission counts, study 12 ==\\033[0m\\n'; "
    "ls --color=always -l /datasets /datasets/cohort-2024; "
    "{ echo file,rows,sha256; for f in *.csv; do "
    "echo $f,$(($(wc -l <$f)-1)),$(sha256sum $f | cut -c1-16); done; } "
    ">/outbox/.summary.part && mv /outbox/.summary.part /outbox/readmissions.csv; "
    "printf '\\033[1;32mwrote /outbox/readmissions.csv\\033[0m\\n'; i=0; "
    "while :; do i=$((i+1)); "
    "head -c $((i%5*96+32))k /dev/urandom | sha256sum >/dev/null; "
    "printf '\\033[33m[pass %3d]\\033[0m hashed \\033[1m%s\\033[0m files \\033[35m%s\\033[0m\\n' "
    "$i $(ls *.csv | wc -l) $(sha256sum /outbox/readmissions.csv | cut -c1-12); "
    "sleep 1; done");

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// A small cohort: three CSV files of made-up rows (name, rows without the header).
QList<std::pair<QString, QByteArray>> cohortFiles()
{
    QByteArray admissions = "patient,admitted,ward,age\n";
    QByteArray labs = "patient,test,value,unit\n";
    QByteArray discharges = "patient,discharged,readmitted_30d\n";
    for (int patient = 1; patient <= 48; ++patient) {
        admissions += QByteArray::number(patient) + ",2024-03-" +
            QByteArray::number(patient % 28 + 1).rightJustified(2, '0') + ",W" +
            QByteArray::number(patient % 4 + 1) + ',' + QByteArray::number(30 + patient % 50) +
            '\n';
        labs += QByteArray::number(patient) + ",creatinine," +
            QByteArray::number(60 + patient * 7 % 90) + ",umol/L\n";
        if (patient % 3 != 0)
            discharges += QByteArray::number(patient) + ",2024-04-" +
                QByteArray::number(patient % 28 + 1).rightJustified(2, '0') + ',' +
                (patient % 5 == 0 ? "yes" : "no") + '\n';
    }
    return {{QStringLiteral("admissions.csv"), admissions},
        {QStringLiteral("discharges.csv"), discharges}, {QStringLiteral("labs.csv"), labs}};
}

// What the guest's summary must hold, computed here from the host's files.
QByteArray expectedSummary()
{
    QByteArray summary = "file,rows,sha256\n";
    for (const auto& [name, content] : cohortFiles()) {
        QByteArray hash = QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex();
        summary += name.toUtf8() + ',' + QByteArray::number(content.count('\n') - 1) + ',' +
            hash.left(16) + '\n';
    }
    return summary;
}

// The console's scrollback and screen as text.
QString consoleText(const ui::TerminalView* terminal)
{
    QStringList lines;
    for (int index = 0; index < terminal->scrollbackLineCount(); ++index)
        lines << terminal->scrollbackLineText(index);
    lines << terminal->screenText();
    return lines.join(QLatin1Char('\n'));
}

// How many different colours `image` has (up to `enough`): a blank grab has one or two.
int distinctColours(const QImage& image, int enough)
{
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2) {
        for (int x = 0; x < image.width(); x += 2) {
            colours.insert(image.pixel(x, y));
            if (colours.size() >= enough)
                return enough;
        }
    }
    return static_cast<int>(colours.size());
}

} // namespace

class AppScreenshotsTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_root;
    QString m_log;
    QByteArray m_console;

    QByteArray diagnostics() const
    {
        return "\n--- engine log ---\n" + m_log.right(3000).toUtf8() + "\n--- console ---\n" +
            m_console.right(3000);
    }

    // Saves `widget` as shown to `name` in the screenshot folder, and checks it is a picture.
    void screenshot(QWidget* widget, const QString& name)
    {
        // Layout and paint requests still queued are what the user would see a moment later.
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        QString path = QStringLiteral(AIRLOCK_SCREENSHOT_DIR "/") + name;
        QFile::remove(path);
        QVERIFY2(widget->grab().save(path), qPrintable(path));
        QImage saved(path);
        QVERIFY2(!saved.isNull(), qPrintable(path));
        QVERIFY2(distinctColours(saved, 24) >= 24, qPrintable(path + " is (nearly) blank"));
        qInfo("screenshot: %s", qPrintable(path));
    }

    // A session manager on a fresh audit trail, finding this build's engine the app's way.
    std::unique_ptr<app::SessionManager> makeManager(const QString& auditName, app::EngineLocation& location)
    {
        location = app::EngineLocator::locate();
        if (!location.canStartSessions()) {
            qWarning("%s", qPrintable(location.statusMessage));
            return nullptr;
        }
        auto store = app::AuditStore::open(m_root.filePath(auditName));
        if (!store) {
            qWarning("%s", qPrintable(store.error().message));
            return nullptr;
        }
        auto created = app::SessionManager::create(std::move(*store), location);
        if (!created) {
            qWarning("%s", qPrintable(created.error().message));
            return nullptr;
        }
        return std::move(*created);
    }

    void watch(app::ManagedSession* session)
    {
        app::EngineSession& engine = session->engine();
        connect(&engine, &app::EngineSession::logLine, this,
            [this](const QString& line) { m_log += line + QLatin1Char('\n'); });
        connect(&engine, &app::EngineSession::stateChanged, this,
            [this](EngineState state, const QString& reason) {
                m_log +=
                    QStringLiteral("[state] %1: %2\n").arg(app::engineStateName(state), reason);
            });
        connect(&engine, &app::EngineSession::consoleOutput, this,
            [this](const QByteArray& bytes) { m_console += bytes; });
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<app::EngineState>();
        QVERIFY(m_root.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_KERNEL)),
            "no guest kernel: configure with -DAIRLOCK_GUEST_KERNEL=... "
            "(packaging/guest/build-kernel.sh prints its path)");
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_INITRAMFS)), "no guest initramfs");
        // This build's engine, found the app's way (which also decides: KVM here or the lab).
        qputenv("AIRLOCK_VMM", AIRLOCK_VMM);
        qputenv("AIRLOCK_KERNEL", AIRLOCK_GUEST_KERNEL);
        qputenv("AIRLOCK_INITRAMFS", AIRLOCK_GUEST_INITRAMFS);
        QString runtime = m_root.filePath(QStringLiteral("runtime"));
        QVERIFY(QDir().mkpath(runtime));
        QVERIFY(QFile::setPermissions(
            runtime, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
        qputenv("XDG_RUNTIME_DIR", QFile::encodeName(runtime));
        // Fresh window settings: the screenshots show the defaults a new user sees.
        QCoreApplication::setOrganizationName(QStringLiteral("AirlockTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_app_screenshots"));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_root.filePath("config"));
        QVERIFY(QDir().mkpath(QStringLiteral(AIRLOCK_SCREENSHOT_DIR)));
    }

    void aRealSessionFromStartToShredCertificate()
    {
        QString folder = m_root.filePath(kDatasetName);
        QVERIFY(QDir().mkpath(folder));
        for (const auto& [name, content] : cohortFiles())
            QVERIFY(writeFile(folder + QLatin1Char('/') + name, content));
        auto dataset = app::DatasetInspector::inspect(folder);
        QVERIFY2(dataset, dataset ? "" : qPrintable(dataset.error().message));

        app::EngineLocation location;
        std::unique_ptr<app::SessionManager> manager = makeManager(QStringLiteral("audit.sqlite"), location);
        QVERIFY(manager);

        ui::MainWindow window(*manager);
        window.resize(1000, 320);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QString engineStatus = window.findChild<QLabel*>(QStringLiteral("engineStatus"))->text();
        if (location.throughLab)
            QVERIFY2(engineStatus.contains(QStringLiteral("KVM lab")), qPrintable(engineStatus));
        else
            QVERIFY2(engineStatus.contains(QStringLiteral("this computer's KVM")),
                qPrintable(engineStatus));

        app::SessionRequest request;
        request.name = QStringLiteral("Readmissions — study 12");
        request.purpose = QStringLiteral("30-day readmission counts for the quality board");
        request.command = {QStringLiteral("sh"), QStringLiteral("-c"), kScript};
        request.vcpus = 1;
        request.memoryMiB = 384;
        request.scratchMiB = app::SessionRequest::kMinimumScratchMiB;
        request.lifetimeMinutes = 60;
        request.datasets = {*dataset};
        auto started = manager->startSession(request);
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
        app::ManagedSession* session = *started;
        watch(session);
        window.openSessionWindow(session);
        ui::SessionWindow* sessionWindow = window.sessionWindow(session);
        QVERIFY(sessionWindow);
        sessionWindow->resize(1280, 760);
        QVERIFY(QTest::qWaitForWindowExposed(sessionWindow));

        // Running, then the command's output and ten seconds of graphs.
        QTRY_VERIFY_WITH_TIMEOUT(
            session->engine().state() != EngineState::Starting, kRunningTimeoutMs);
        QVERIFY2(session->engine().state() == EngineState::Running,
            qPrintable(app::engineStateName(session->engine().state()) + diagnostics()));
        ui::TerminalView* terminal = sessionWindow->liveView()->terminal();
        ui::SessionGraphs* graphs = sessionWindow->liveView()->graphs();
        QTRY_VERIFY2_WITH_TIMEOUT(
            (consoleText(terminal).contains(QStringLiteral("[pass   3]")) &&
                graphs->values(ui::SessionGraphs::Series::CpuPercent).size() >= 10) ||
                session->isEnded(),
            qPrintable(consoleText(terminal) + diagnostics()), kOutputTimeoutMs);
        QVERIFY2(!session->isEnded(), qPrintable(session->endReason() + diagnostics()));
        QString console = consoleText(terminal);
        QVERIFY2(console.contains(QStringLiteral("== Readmission counts, study 12 ==")),
            qPrintable(console));
        QVERIFY2(console.contains(QStringLiteral("admissions.csv")), qPrintable(console));
        QVERIFY2(console.contains(QStringLiteral("wrote /outbox/readmissions.csv")),
            qPrintable(console));
        QTRY_COMPARE(terminal->pendingBytes(), qsizetype(0));

        // The main window: the session with its state, uptime, datasets and CPU sparkline.
        ui::SessionListModel* model = window.sessionModel();
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->index(0, ui::SessionListModel::StateColumn).data().toString(),
            QStringLiteral("Running"));
        QCOMPARE(
            model->index(0, ui::SessionListModel::DatasetsColumn).data().toString(), kDatasetName);
        QVERIFY(model->index(0, ui::SessionListModel::CpuColumn)
                    .data(ui::SessionListModel::CpuValuesRole)
                    .value<QList<double>>()
                    .size() >= 10);
        screenshot(&window, QStringLiteral("main-window.png"));
        screenshot(sessionWindow, QStringLiteral("session-window.png"));

        // The outbox lists the summary; its preview is the CSV as a table.
        sessionWindow->showOutbox();
        ui::OutboxPanel* outbox = sessionWindow->outboxPanel();
        outbox->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(outbox->model()->rowCount() > 0, 60'000);
        QVERIFY2(outbox->statusText().contains(QStringLiteral("1 file")),
            qPrintable(outbox->statusText()));
        QSignalSpy previewed(outbox, &ui::OutboxPanel::previewShown);
        outbox->selectFile(kSummaryName);
        QVERIFY2(!outbox->fileView()->selectionModel()->selectedRows().isEmpty(),
            qPrintable(outbox->statusText()));
        QTRY_VERIFY_WITH_TIMEOUT(
            outbox->preview()->kind() == ui::OutboxPreview::Kind::Table, 60'000);
        QVERIFY(previewed.count() > 0);
        screenshot(sessionWindow, QStringLiteral("session-outbox.png"));

        // Export it through the panel, as a user would (the folder dialog answered here).
        QString exportFolder = m_root.filePath(QStringLiteral("export"));
        QVERIFY(QDir().mkpath(exportFolder));
        QList<ui::OutboxExportResult> exportResults;
        ui::OutboxDialogs dialogs;
        dialogs.chooseFolder = [exportFolder](QWidget*) {
            return exportFolder;
        };
        dialogs.confirmExport = [](QWidget*, const QList<app::OutboxFile>&, const QString&) {
            return true;
        };
        dialogs.askOverwrite = [](QWidget*, const QString&) {
            return ui::OverwriteChoice::Skip;
        };
        dialogs.showResults = [&exportResults](
                                  QWidget*, const QList<ui::OutboxExportResult>& results) {
            exportResults = results;
        };
        outbox->setDialogs(dialogs);
        outbox->exportSelected();
        QTRY_VERIFY_WITH_TIMEOUT(!exportResults.isEmpty(), 60'000);
        QCOMPARE(exportResults.size(), 1);
        QVERIFY2(exportResults.first().exported, qPrintable(exportResults.first().error));
        QFile exported(exportFolder + QLatin1Char('/') + kSummaryName);
        QVERIFY(exported.open(QIODevice::ReadOnly));
        QCOMPARE(exported.readAll(), expectedSummary());

        // Stop & shred: the question (nothing unexported), then the certificate.
        sessionWindow->requestStopAndShred();
        ui::CloseQuestion* question = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (question = sessionWindow->findChild<ui::CloseQuestion*>()) && question->isVisible(),
            60'000);
        QVERIFY2(!question->exportButton(), "the summary was exported: nothing left to export");
        question->shredButton()->click();
        QTRY_VERIFY_WITH_TIMEOUT(session->isEnded(), kEndTimeoutMs);
        ui::ShredCertificateDialog* certificate = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (certificate = sessionWindow->findChild<ui::ShredCertificateDialog*>()) &&
                certificate->isVisible(),
            30'000);
        QVERIFY2(certificate->certificate().succeeded(), qPrintable(certificate->verdictText()));
        QVERIFY(!certificate->certificate().abandoned());
        const QList<ui::ShredCertificateItem> items = certificate->certificate().items();
        QVERIFY(items.size() >= 3);
        for (const ui::ShredCertificateItem& item : items)
            QVERIFY2(item.succeeded, qPrintable(item.what + QStringLiteral(": ") + item.detail));
        screenshot(certificate, QStringLiteral("shred-certificate.png"));
        certificate->close();

        // The audit trail of that session, its chain verified with the button's check.
        window.showAuditTrail();
        ui::AuditView* audit = window.auditView();
        QVERIFY(audit);
        QVERIFY(QTest::qWaitForWindowExposed(audit));
        audit->filterBar()->setSession(session->id());
        std::optional<app::AuditVerification> verification;
        connect(audit, &ui::AuditView::verified, this,
            [&verification](const app::AuditVerification& result) { verification = result; });
        audit->verifyChain();
        QTRY_VERIFY_WITH_TIMEOUT(verification.has_value(), 30'000);
        QVERIFY2(verification->intact, qPrintable(verification->problem));
        QTRY_VERIFY(audit->bannerText().contains(QStringLiteral("Intact")));
        QTRY_VERIFY(!audit->isVerifying());
        QVERIFY(audit->model()->rowCount() >= 6);
        screenshot(audit, QStringLiteral("audit-view.png"));

        // Before the trail's rows go with the manager: it holds what an auditor needs.
        app::AuditFilter filter;
        filter.sessionId = session->id();
        auto events = manager->audit().events(filter);
        QVERIFY2(events, events ? "" : qPrintable(events.error().message));
        QList<app::AuditEventKind> kinds;
        QStringList exportedTo;
        for (const app::AuditEvent& event : std::as_const(*events)) {
            kinds.append(event.kind);
            if (event.kind == app::AuditEventKind::Export)
                exportedTo << event.details.value("destinationPath").toString();
        }
        // One export: the user's. Previewing a file is not taking it out of the session.
        QVERIFY2(exportedTo == QStringList {exportFolder + QLatin1Char('/') + kSummaryName},
            qPrintable(QStringLiteral("exports recorded to: ") + exportedTo.join(u", ")));
        for (app::AuditEventKind kind : {app::AuditEventKind::SessionCreated,
                 app::AuditEventKind::DatasetMounted, app::AuditEventKind::Export,
                 app::AuditEventKind::ShredReport, app::AuditEventKind::SessionEnded})
            QVERIFY2(kinds.contains(kind), qPrintable(app::kindName(kind)));
    }

    // A session whose main view is its screen: the command runs on the guest's framebuffer
    // console, and the session window opens on the Display tab, showing it through the VNC
    // stream relayed over the control channel (through the KVM lab where there is no /dev/kvm).
    void aSessionOnItsScreen()
    {
        QString folder = m_root.filePath(kDatasetName);
        QVERIFY(QDir().mkpath(folder));
        for (const auto& [name, content] : cohortFiles())
            QVERIFY(writeFile(folder + QLatin1Char('/') + name, content));
        auto dataset = app::DatasetInspector::inspect(folder);
        QVERIFY2(dataset, dataset ? "" : qPrintable(dataset.error().message));
        app::EngineLocation location;
        std::unique_ptr<app::SessionManager> manager =
            makeManager(QStringLiteral("audit-display.sqlite"), location);
        QVERIFY(manager);
        ui::MainWindow window(*manager);

        app::SessionRequest request;
        request.name = QStringLiteral("Readmissions — on screen");
        request.purpose = QStringLiteral("30-day readmission counts, reviewed on the session's screen");
        request.command = {QStringLiteral("sh"), QStringLiteral("-c"),
            QStringLiteral("cd /datasets/cohort-2024 || exit 1; "
                           "printf '\\033[1;36m== Cohort 2024, on the session screen ==\\033[0m\\n'; "
                           "ls --color=always -l; echo; head -12 admissions.csv; echo; "
                           "printf '\\033[1;32m%s rows\\033[0m\\n' $(cat *.csv | wc -l); "
                           "echo screen-ready >/dev/ttyS0; exec sleep 900")};
        request.vcpus = 1;
        request.memoryMiB = 384;
        request.scratchMiB = app::SessionRequest::kMinimumScratchMiB;
        request.lifetimeMinutes = 60;
        request.datasets = {*dataset};
        request.mainView = app::MainView::Display;
        request.displaySize = QSize(1024, 768);
        auto started = manager->startSession(request);
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
        app::ManagedSession* session = *started;
        m_console.clear();
        m_log.clear();
        watch(session);
        window.openSessionWindow(session);
        ui::SessionWindow* sessionWindow = window.sessionWindow(session);
        QVERIFY(sessionWindow);
        sessionWindow->resize(1280, 860);
        QVERIFY(QTest::qWaitForWindowExposed(sessionWindow));
        auto* tabs = sessionWindow->findChild<QTabWidget*>(QStringLiteral("sessionTabs"));
        QVERIFY(tabs);
        ui::SessionDisplayTab* displayTab = sessionWindow->displayTab();
        QCOMPARE(tabs->widget(0), static_cast<QWidget*>(displayTab)); // the main view comes first
        QCOMPARE(tabs->currentWidget(), static_cast<QWidget*>(displayTab));

        QTRY_VERIFY_WITH_TIMEOUT(
            session->engine().state() != EngineState::Starting, kRunningTimeoutMs);
        QVERIFY2(session->engine().state() == EngineState::Running,
            qPrintable(app::engineStateName(session->engine().state()) + diagnostics()));
        // The guest's console says the command runs on the screen; the screen gets its text.
        QTRY_VERIFY2_WITH_TIMEOUT(m_console.contains("screen-ready") || session->isEnded(),
            qPrintable(diagnostics()), kOutputTimeoutMs);
        QVERIFY2(m_console.contains("runs on the display"), qPrintable(diagnostics()));
        QTRY_VERIFY2_WITH_TIMEOUT(displayTab->connection() &&
                displayTab->connection()->frameSize() == QSize(1024, 768),
            qPrintable(displayTab->statusText() + diagnostics()), 120'000);
        // Text on a black console: enough lit pixels that the listing is there, in colour.
        auto litPixels = [&] {
            QImage frame = displayTab->connection()->frame();
            int lit = 0;
            for (int y = 0; y < frame.height(); y += 2)
                for (int x = 0; x < frame.width(); x += 2)
                    lit += (frame.pixel(x, y) & 0xffffff) != 0;
            return lit;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(litPixels() > 2000 && distinctColours(displayTab->connection()->frame(), 4) >= 4,
            qPrintable(QStringLiteral("%1 lit pixels; ").arg(litPixels()) + displayTab->statusText()),
            120'000);
        QVERIFY2(displayTab->statusText().contains(QStringLiteral("View only")),
            qPrintable(displayTab->statusText()));
        QTest::qWait(500); // the view repaints at its own pace
        screenshot(sessionWindow, QStringLiteral("session-display.png"));

        // The audit trail says how the session was shown, without any of what it showed.
        app::AuditFilter filter;
        filter.sessionId = session->id();
        auto events = manager->audit().events(filter);
        QVERIFY2(events, events ? "" : qPrintable(events.error().message));
        QJsonObject display;
        for (const app::AuditEvent& event : std::as_const(*events))
            if (event.kind == app::AuditEventKind::SessionCreated)
                display = event.details.value(QStringLiteral("display")).toObject();
        QCOMPARE(display.value(QStringLiteral("mainView")).toString(), QStringLiteral("display"));
        QCOMPARE(display.value(QStringLiteral("width")).toInt(), 1024);
        QCOMPARE(display.value(QStringLiteral("externalViewers")).toBool(), false);

        session->engine().stop(true);
        QTRY_VERIFY_WITH_TIMEOUT(session->isEnded(), kEndTimeoutMs);
        QTRY_VERIFY(displayTab->statusText().contains(QStringLiteral("shredded")));
    }
};

// ctest's SKIP_RETURN_CODE (77): reported as skipped, not passed, when it cannot run here.
int main(int argc, char** argv)
{
    int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    bool kvmUsable = fd >= 0;
    if (kvmUsable)
        ::close(fd);
    if (!kvmUsable && qEnvironmentVariable("AIRLOCK_TEST_LAB_RELAY") != QLatin1String("1")) {
        std::puts("SKIPPED: no usable /dev/kvm, and a session through the KVM lab takes minutes; "
                  "set AIRLOCK_TEST_LAB_RELAY=1 to take the screenshots through the lab");
        return 77;
    }
    QApplication application(argc, argv);
#ifdef AIRLOCK_HAVE_TRANSLATIONS
    ui::AppTranslations::install(application); // as the app does: "1 file", not "1 file(s)"
#endif
    AppScreenshotsTest test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_app_screenshots.moc"
