// SessionManager against a fake airlock-vmm child (tst_manager_fake_vmm): what a session leaves
// in the audit trail from creation to shred, a refused request that leaves no trace, the
// maximum lifetime, a forced stop for a guest that ignores a clean one, closeAll() for quitting,
// and an audit trail that cannot be written (the user is told, nothing is lost).

#include "ManagedSession.h"
#include "SessionManager.h"
#include "audit/AuditStore.h"
#include "session/DatasetInspector.h"
#include "tst_audit_support.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace std::chrono_literals;
using app::AuditEventKind;

namespace {
app::EngineLocation fakeLocation()
{
    app::EngineLocation location;
    location.vmmPath = QStringLiteral(AIRLOCK_FAKE_VMM);
    location.kernelPath = QStringLiteral("/nonexistent/bzImage"); // the fake never reads them
    location.initramfsPath = QStringLiteral("/nonexistent/initramfs.cpio");
    return location;
}

app::SessionRequest request(const QStringList& command)
{
    app::SessionRequest request;
    request.name = QStringLiteral("cohort");
    request.purpose = QStringLiteral("Readmission review for study 12");
    request.command = command;
    request.vcpus = 1;
    request.memoryMiB = app::SessionRequest::kMinimumMemoryMiB;
    request.scratchMiB = app::SessionRequest::kMinimumScratchMiB;
    return request;
}

QList<AuditEventKind> kinds(const QList<app::AuditEvent>& events)
{
    QList<AuditEventKind> result;
    for (const app::AuditEvent& event : events)
        result.append(event.kind);
    return result;
}
} // namespace

class ManagerSessionTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;
    QString m_auditPath;
    std::unique_ptr<app::SessionManager> m_manager;

    app::SessionManager& makeManager()
    {
        m_manager.reset();
        m_auditPath = m_directory.filePath(
            QStringLiteral("audit-%1.sqlite").arg(QUuid::createUuid().toString(QUuid::Id128)));
        auto store = app::AuditStore::open(m_auditPath);
        auto manager = app::SessionManager::create(std::move(*store), fakeLocation());
        m_manager = std::move(*manager);
        return *m_manager;
    }

    QList<app::AuditEvent> sessionEvents(const QString& id)
    {
        app::AuditFilter filter;
        filter.sessionId = id;
        return *m_manager->audit().events(filter);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_directory.isValid());
        qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_directory.filePath("runtime")));
        QVERIFY(QDir().mkpath(m_directory.filePath("runtime")));
    }

    void cleanup() { m_manager.reset(); }

    void aSessionIsRecordedFromCreationToShred()
    {
        app::SessionManager& manager = makeManager();
        QString folder = m_directory.filePath("scans");
        QVERIFY(QDir().mkpath(folder));
        QFile file(folder + "/patients.csv");
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("id,age\n1,42\n");
        file.close();
        auto dataset = app::DatasetInspector::inspect(folder);
        QVERIFY2(dataset, dataset ? "" : qPrintable(dataset.error().message));
        app::SessionRequest asked = request({"fake-exit", "3", "secret", "console", "text"});
        asked.datasets = {*dataset};

        QSignalSpy added(&manager, &app::SessionManager::sessionAdded);
        auto started = manager.startSession(asked);
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
        app::ManagedSession* session = *started;
        QCOMPARE(added.size(), 1);
        QCOMPARE(manager.sessions(), QList<app::ManagedSession*> {session});
        QString directory = QDir(m_directory.filePath("runtime/airlock")).filePath(session->id());
        QVERIFY(QFileInfo(directory).isDir());
        QCOMPARE(QFileInfo(directory).permissions() & 0x0077, QFileDevice::Permissions {});

        QByteArray console;
        connect(&session->engine(), &app::EngineSession::consoleOutput, this,
            [&console](const QByteArray& bytes) { console += bytes; });
        QSignalSpy ended(session, &app::ManagedSession::ended);
        QVERIFY(ended.wait(10000));
        QVERIFY(session->isEnded());
        QVERIFY(console.contains("SECRET CONSOLE TEXT"));
        QCOMPARE(session->exitStatus(), std::optional<int>(3));
        QVERIFY(session->shredReport().has_value());
        QCOMPARE(session->datasets().first().manifestDigest, QString(64, QLatin1Char('a')));
        QVERIFY(!QFileInfo::exists(directory)); // shredded with the session

        QList<app::AuditEvent> events = sessionEvents(session->id());
        QList<AuditEventKind> recorded = kinds(events);
        QCOMPARE(recorded.first(), AuditEventKind::SessionCreated);
        QCOMPARE(events.first().details.value("purpose").toString(), asked.purpose);
        QCOMPARE(events.first().details.value("command").toString(),
            QStringLiteral("fake-exit 3 secret console text"));
        QVERIFY(recorded.contains(AuditEventKind::DatasetMounted));
        const app::AuditEvent& mounted =
            events.at(recorded.indexOf(AuditEventKind::DatasetMounted));
        QCOMPARE(mounted.details.value("dataset").toString(), QStringLiteral("scans"));
        QCOMPARE(mounted.details.value("manifestSha256").toString(), QString(64, QLatin1Char('a')));
        QCOMPARE(mounted.details.value("hostPath").toString(), dataset->hostPath);
        QVERIFY(recorded.contains(AuditEventKind::DatasetVerified));
        QStringList states;
        for (const app::AuditEvent& event : events) {
            if (event.kind == AuditEventKind::SessionState)
                states.append(event.details.value("state").toString());
        }
        QCOMPARE(states, (QStringList {"starting", "running", "stopping", "shredding", "ended"}));
        QVERIFY(recorded.indexOf(AuditEventKind::ShredReport) <
            recorded.indexOf(AuditEventKind::SessionEnded));
        QCOMPARE(recorded.last(), AuditEventKind::SessionEnded);
        QCOMPARE(events.last().details.value("exitStatus").toInt(), 3);
        // Never console text: the guest printed "SECRET CONSOLE TEXT".
        for (const app::AuditEvent& event : events)
            QVERIFY(!QJsonDocument(event.details).toJson().contains("SECRET"));
        QVERIFY(manager.audit().verify().intact);
        QVERIFY(manager.forget(session));
    }

    void anInvalidRequestIsRefusedAndNothingRecorded()
    {
        app::SessionManager& manager = makeManager();
        app::SessionRequest asked = request({});
        asked.purpose = QStringLiteral("x");
        QList<app::FieldProblem> problems = asked.validate(app::HostLimits::current());
        QCOMPARE(problems.size(), 1);
        qsizetype before = manager.audit().events()->size();
        QSignalSpy added(&manager, &app::SessionManager::sessionAdded);
        auto started = manager.startSession(asked);
        QVERIFY(!started);
        QVERIFY2(started.error().message.contains(problems.first().message),
            qPrintable(started.error().message));
        QCOMPARE(manager.audit().events()->size(), before);
        QCOMPARE(added.size(), 0);
        QVERIFY(manager.sessions().isEmpty());
    }

    void theMaximumLifetimeClosesTheSession()
    {
        app::SessionManager& manager = makeManager();
        manager.setLifetimeOverride(1s);
        auto started = manager.startSession(request({}));
        QVERIFY(started);
        app::ManagedSession* session = *started;
        QVERIFY(session->deadline() <= session->startedAt().addSecs(1));
        QSignalSpy ended(session, &app::ManagedSession::ended);
        QVERIFY(ended.wait(10000));
        QVERIFY2(
            session->endReason().contains("maximum lifetime"), qPrintable(session->endReason()));
        QList<app::AuditEvent> events = sessionEvents(session->id());
        QCOMPARE(events.last().kind, AuditEventKind::SessionEnded);
        QVERIFY(events.last().details.value("reason").toString().contains("maximum lifetime"));
        QCOMPARE(events.first().details.value("lifetimeSeconds").toInt(), 1);
    }

    void aGuestThatIgnoresACleanStopIsStoppedByForce()
    {
        app::SessionManager& manager = makeManager();
        manager.setForceDelay(300ms);
        auto started = manager.startSession(request({"fake-stubborn"}));
        QVERIFY(started);
        app::ManagedSession* session = *started;
        QTRY_COMPARE(session->engine().state(), app::EngineState::Running);
        QSignalSpy ended(session, &app::ManagedSession::ended);
        session->close(false);
        QVERIFY(ended.wait(10000));
        QVERIFY(session->endReason().contains("closed"));
    }

    void closeAllEndsEverySession()
    {
        app::SessionManager& manager = makeManager();
        auto first = manager.startSession(request({}));
        auto second = manager.startSession(request({}));
        QVERIFY(first && second);
        QVERIFY(!manager.forget(*first)); // still running
        QTRY_COMPARE((*first)->engine().state(), app::EngineState::Running);
        QTRY_COMPARE((*second)->engine().state(), app::EngineState::Running);
        QSignalSpy allClosed(&manager, &app::SessionManager::allClosed);
        manager.closeAll();
        QVERIFY(allClosed.wait(10000));
        QCOMPARE(allClosed.size(), 1);
        QVERIFY((*first)->isEnded() && (*second)->isEnded());
        QVERIFY2((*first)->endReason().contains("quit"), qPrintable((*first)->endReason()));
        QSignalSpy removed(&manager, &app::SessionManager::sessionRemoved);
        QVERIFY(manager.forget(*first));
        QCOMPARE(removed.size(), 1);
        QCOMPARE(manager.sessions().size(), 1);
    }

    void anAuditTrailThatCannotBeWrittenIsReportedAndNothingIsLost()
    {
        app::SessionManager& manager = makeManager();
        auto started = manager.startSession(request({}));
        QVERIFY(started);
        app::ManagedSession* session = *started;
        QTRY_COMPARE(session->engine().state(), app::EngineState::Running);
        QString id = session->id();

        RawDatabase raw(m_auditPath); // plays a full disk: every insert fails
        QVERIFY(raw.exec("CREATE TRIGGER disk_full BEFORE INSERT ON events BEGIN "
                         "SELECT RAISE(FAIL, 'database or disk is full'); END"));
        QSignalSpy errors(session, &app::ManagedSession::errorOccurred);
        QSignalSpy ended(session, &app::ManagedSession::ended);
        session->close();
        QVERIFY(ended.wait(10000));
        QVERIFY(!errors.isEmpty());
        QString message = errors.first().first().toString();
        QVERIFY2(message.contains("could not write to the audit trail") &&
                message.contains("Free space"),
            qPrintable(message));
        auto refused = manager.startSession(request({}));
        QVERIFY(!refused);
        QVERIFY(refused.error().message.contains("audit trail"));

        QVERIFY(raw.exec("DROP TRIGGER disk_full")); // space was freed
        auto next = manager.startSession(request({}));
        QVERIFY2(next, next ? "" : qPrintable(next.error().message));
        QList<AuditEventKind> recorded = kinds(sessionEvents(id));
        QVERIFY(recorded.contains(AuditEventKind::ShredReport));
        QCOMPARE(recorded.last(), AuditEventKind::SessionEnded);
        QVERIFY(manager.audit().verify().intact);
    }
};

QTEST_GUILESS_MAIN(ManagerSessionTest)
#include "tst_manager_session.moc"
