// Lab test: the app's core end to end with real KVM (issue 4, "What must be shown"). A
// SessionManager with a fresh audit trail starts a session with a purpose and a dataset; the
// guest reads the dataset and writes a result to /outbox; the app exports it, then adds a second
// dataset to the running session (as a drop does), which the guest finds and reads; the app
// closes the session and the engine shreds it. The audit trail then holds the purpose, both
// datasets' manifest digests (computed here independently), the added one's addition, the
// exports' SHA-256 and a shred report whose every item succeeded, and its hash chain verifies.

#include "ManagedSession.h"
#include "SessionManager.h"
#include "audit/AuditStore.h"
#include "session/DatasetInspector.h"

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using app::AuditEventKind;

namespace {

// The guest boots, mounts the dataset and runs the command within this (the lab is emulated).
constexpr int kResultTimeoutMs = 240000;
// A clean close: the agent powers the guest off, the engine shreds and reports.
constexpr int kEndTimeoutMs = 120000;

const QString kDatasetName = QStringLiteral("cohort");
// Dropped on the running session (issue 4: it appears without a restart).
const QString kAddedName = QStringLiteral("labs 2025");
const QString kPurpose = QStringLiteral("End-to-end lab check of readmission counts for study 12");

QByteArray sha256(const QByteArray& bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
}

QByteArray readFile(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray littleEndian64(quint64 value)
{
    QByteArray bytes(8, '\0');
    qToLittleEndian(value, bytes.data());
    return bytes;
}

// The dataset manifest digest of a flat folder, computed as vmm::Manifest documents it (not with
// its code): "airlock-dataset-manifest-v1\n", then for each file in path order its path length,
// path, size (u64 little-endian each) and SHA-256.
QString manifestDigest(const QString& folder)
{
    QStringList names = QDir(folder).entryList(QDir::Files, QDir::Name);
    std::sort(names.begin(), names.end(),
        [](const QString& a, const QString& b) { return a.toUtf8() < b.toUtf8(); });
    QCryptographicHash digest(QCryptographicHash::Sha256);
    digest.addData(QByteArrayView("airlock-dataset-manifest-v1\n"));
    for (const QString& name : std::as_const(names)) {
        QByteArray path = name.toUtf8();
        QByteArray content = readFile(QDir(folder).filePath(name));
        digest.addData(littleEndian64(static_cast<quint64>(path.size())));
        digest.addData(path);
        digest.addData(littleEndian64(static_cast<quint64>(content.size())));
        digest.addData(sha256(content));
    }
    return QString::fromLatin1(digest.result().toHex());
}

// Waits for /outbox/`name` through the guest agent; empty when the session ended or time ran out.
std::optional<app::OutboxFile> waitForOutboxFile(
    app::ManagedSession* session, const QString& name, int timeoutMs)
{
    QElapsedTimer waited;
    waited.start();
    while (!session->isEnded() && waited.elapsed() < timeoutMs) {
        auto listing = session->listOutbox();
        if (!QTest::qWaitFor([&] { return listing.isFinished(); }, 60000))
            return std::nullopt;
        if (app::Result<QList<app::OutboxFile>> files = listing.result()) {
            for (const app::OutboxFile& file : std::as_const(*files)) {
                if (file.path == name)
                    return file;
            }
        }
        QTest::qWait(500); // the guest is still booting or computing: ask again
    }
    return std::nullopt;
}

// The session's events of `kind`.
QList<app::AuditEvent> eventsOf(const QList<app::AuditEvent>& events, AuditEventKind kind)
{
    QList<app::AuditEvent> selected;
    for (const app::AuditEvent& event : events) {
        if (event.kind == kind)
            selected.append(event);
    }
    return selected;
}

} // namespace

class AppSessionLabTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_root;

    // What the session's engine said and showed, for failure messages.
    QString m_log;
    QByteArray m_console;

    QByteArray diagnostics() const
    {
        return "\n--- engine log ---\n" + m_log.right(3000).toUtf8() + "\n--- console ---\n" +
            m_console.right(3000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_root.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_KERNEL)),
            "no guest kernel: configure with -DAIRLOCK_GUEST_KERNEL=... "
            "(packaging/guest/build-kernel.sh prints its path)");
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_INITRAMFS)), "no guest initramfs");
        // Session folders go under this test's own runtime folder, private as SessionSetup wants.
        QString runtime = m_root.filePath(QStringLiteral("runtime"));
        QVERIFY(QDir().mkpath(runtime));
        QVERIFY(QFile::setPermissions(
            runtime, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
        qputenv("XDG_RUNTIME_DIR", QFile::encodeName(runtime));
    }

    void aSessionFromDatasetToShredLeavesACompleteAuditTrail()
    {
        // A dataset: a note, a CSV and some binary data.
        QString folder = m_root.filePath(kDatasetName);
        QVERIFY(QDir().mkpath(folder));
        QByteArray csv = "patient,age,readmitted\n1,42,no\n2,67,yes\n3,55,no\n";
        QByteArray binary(64 * 1024, '\0');
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32*>(binary.data()),
            binary.size() / static_cast<qsizetype>(sizeof(quint32)));
        QVERIFY(writeFile(folder + QStringLiteral("/data.csv"), csv));
        QVERIFY(writeFile(folder + QStringLiteral("/notes.txt"), "cohort of three\n"));
        QVERIFY(writeFile(folder + QStringLiteral("/scan.bin"), binary));
        auto dataset = app::DatasetInspector::inspect(folder);
        QVERIFY2(dataset, dataset ? "" : qPrintable(dataset.error().message));
        QCOMPARE(dataset->name, kDatasetName);

        // The app's core with a fresh audit trail, the engine of this build run directly.
        QString auditPath = m_root.filePath(QStringLiteral("audit.sqlite"));
        auto store = app::AuditStore::open(auditPath);
        QVERIFY2(store, store ? "" : qPrintable(store.error().message));
        app::EngineLocation location;
        location.vmmPath = QStringLiteral(AIRLOCK_VMM);
        location.kernelPath = QStringLiteral(AIRLOCK_GUEST_KERNEL);
        location.initramfsPath = QStringLiteral(AIRLOCK_GUEST_INITRAMFS);
        location.kvmUsable = true;
        auto created = app::SessionManager::create(std::move(*store), location);
        QVERIFY2(created, created ? "" : qPrintable(created.error().message));
        std::unique_ptr<app::SessionManager> manager = std::move(*created);

        // The guest hashes the dataset and counts the CSV's lines into /outbox; the result
        // appears under its final name only when complete. No double quotes: the words go on the
        // kernel command line.
        app::SessionRequest request;
        request.name = QStringLiteral("lab end to end");
        request.purpose = kPurpose;
        request.command = {QStringLiteral("sh"), QStringLiteral("-c"),
            QStringLiteral("{ sha256sum /datasets/%1/*; wc -l /datasets/%1/data.csv; } > "
                           "/outbox/result.part && mv /outbox/result.part /outbox/result.txt; "
                           "echo result-written; "
                           "while [ ! -e '/datasets/%2/values.csv' ]; do sleep 0.1; done; "
                           "sha256sum '/datasets/%2'/* > /outbox/added.part && "
                           "mv /outbox/added.part /outbox/added.txt; sleep 600")
                .arg(kDatasetName, kAddedName)};
        request.vcpus = 1;
        request.memoryMiB = 384;
        request.scratchMiB = app::SessionRequest::kMinimumScratchMiB;
        request.lifetimeMinutes = 15;
        request.datasets = {*dataset};
        auto started = manager->startSession(request);
        QVERIFY2(started, started ? "" : qPrintable(started.error().message));
        app::ManagedSession* session = *started;
        connect(&session->engine(), &app::EngineSession::logLine, this,
            [this](const QString& line) { m_log += line + QLatin1Char('\n'); });
        connect(&session->engine(), &app::EngineSession::stateChanged, this,
            [this](app::EngineState state, const QString& reason) {
                m_log +=
                    QStringLiteral("[state] %1: %2\n").arg(app::engineStateName(state), reason);
            });
        connect(&session->engine(), &app::EngineSession::errorOccurred, this,
            [this](
                const QString& message) { m_log += QStringLiteral("[error] ") + message + '\n'; });
        connect(&session->engine(), &app::EngineSession::consoleOutput, this,
            [this](const QByteArray& bytes) { m_console += bytes; });
        QSignalSpy ended(session, &app::ManagedSession::ended);

        // Wait for the result in /outbox, listing it through the guest agent.
        std::optional<app::OutboxFile> result =
            waitForOutboxFile(session, QStringLiteral("result.txt"), kResultTimeoutMs);
        QVERIFY2(result,
            qPrintable(QStringLiteral("no /outbox/result.txt in time (") + session->endReason() +
                QStringLiteral(")") + diagnostics()));

        // Export it and check what the guest computed against the host's files.
        QString exportFolder = m_root.filePath(QStringLiteral("export"));
        QVERIFY(QDir().mkpath(exportFolder));
        QString exportedPath = exportFolder + QStringLiteral("/result.txt");
        auto exporting = session->exportOutboxFile(QStringLiteral("result.txt"), exportedPath);
        QTRY_VERIFY_WITH_TIMEOUT(exporting.isFinished(), 60000);
        auto exported = exporting.result();
        QVERIFY2(exported, exported ? "" : qPrintable(exported.error().message));
        QByteArray content = readFile(exportedPath);
        QString exportedHash = QString::fromLatin1(sha256(content).toHex());
        QCOMPARE(exported->sha256, exportedHash);
        QCOMPARE(result->sha256, exportedHash);
        for (const char* name : {"data.csv", "notes.txt", "scan.bin"}) {
            QByteArray line =
                sha256(readFile(folder + QLatin1Char('/') + QLatin1String(name))).toHex() +
                "  /datasets/" + kDatasetName.toUtf8() + '/' + name;
            QVERIFY2(content.contains(line),
                "the guest's hash of " + QByteArray(name) + " does not match the host's:\n" +
                    content);
        }
        QVERIFY2(
            content.simplified().contains("4 /datasets/" + kDatasetName.toUtf8() + "/data.csv"),
            content.constData());

        // A second dataset dropped on the running session: the guest, waiting for it, finds it
        // read-only under /datasets and hashes it into /outbox.
        QString addedFolder = m_root.filePath(kAddedName);
        QVERIFY(QDir().mkpath(addedFolder));
        QByteArray values = "test,value\nhba1c,6.1\nldl,2.9\n";
        QVERIFY(writeFile(addedFolder + QStringLiteral("/values.csv"), values));
        QVERIFY(writeFile(addedFolder + QStringLiteral("/readme.txt"), "lab values, 2025\n"));
        auto addedSource = app::DatasetInspector::inspect(addedFolder, session->datasets());
        QVERIFY2(addedSource, addedSource ? "" : qPrintable(addedSource.error().message));
        QSignalSpy added(session, &app::ManagedSession::datasetAdded);
        QSignalSpy addFailed(session, &app::ManagedSession::datasetAddFailed);
        QElapsedTimer adding;
        adding.start();
        session->addDatasets({*addedSource});
        QVERIFY2(added.wait(60000) || !addFailed.isEmpty(), diagnostics().constData());
        QVERIFY2(addFailed.isEmpty(),
            qPrintable(addFailed.isEmpty() ? QString() : addFailed.first().at(1).toString()));
        std::printf("added a dataset to the running session: %lld ms from the app's request to "
                    "the guest's mount (engine: %lld ms)\n",
            static_cast<long long>(adding.elapsed()),
            static_cast<long long>(added.first().at(1).toLongLong()));
        QCOMPARE(session->datasets().size(), 2);
        QCOMPARE(session->datasets().last().name, kAddedName);
        std::optional<app::OutboxFile> addedResult =
            waitForOutboxFile(session, QStringLiteral("added.txt"), kResultTimeoutMs);
        QVERIFY2(addedResult, qPrintable(QStringLiteral("no /outbox/added.txt") + diagnostics()));
        QString addedExport = exportFolder + QStringLiteral("/added.txt");
        auto exportingAdded = session->exportOutboxFile(QStringLiteral("added.txt"), addedExport);
        QTRY_VERIFY_WITH_TIMEOUT(exportingAdded.isFinished(), 60000);
        QVERIFY(exportingAdded.result());
        QByteArray addedContent = readFile(addedExport);
        for (const char* name : {"readme.txt", "values.csv"}) {
            QByteArray line =
                sha256(readFile(addedFolder + QLatin1Char('/') + QLatin1String(name))).toHex() +
                "  /datasets/" + kAddedName.toUtf8() + '/' + name;
            QVERIFY2(addedContent.contains(line), addedContent.constData());
        }
        // Its manifest digest arrives once the engine has hashed it in the background.
        QTRY_VERIFY_WITH_TIMEOUT(!session->datasets().last().manifestDigest.isEmpty(), 60000);

        // Close: the guest is shut down, the engine shreds and reports, the session ends.
        QVERIFY(session->unexportedOutboxFiles().isEmpty());
        session->close();
        if (!session->isEnded())
            QVERIFY2(ended.wait(kEndTimeoutMs), diagnostics().constData());
        QCOMPARE(session->engine().state(), app::EngineState::Ended);

        // The audit trail tells the whole story, and its chain is intact.
        app::AuditFilter filter;
        filter.sessionId = session->id();
        auto events = manager->audit().events(filter);
        QVERIFY2(events, events ? "" : qPrintable(events.error().message));

        auto createdEvents = eventsOf(*events, AuditEventKind::SessionCreated);
        QCOMPARE(createdEvents.size(), 1);
        QCOMPARE(createdEvents.first().details.value("purpose").toString(), kPurpose);

        auto mounted = eventsOf(*events, AuditEventKind::DatasetMounted);
        QCOMPARE(mounted.size(), 2);
        QCOMPARE(mounted.last().details.value("dataset").toString(), kAddedName);
        QCOMPARE(
            mounted.last().details.value("manifestSha256").toString(), manifestDigest(addedFolder));
        auto addedEvents = eventsOf(*events, AuditEventKind::DatasetAdded);
        QCOMPARE(addedEvents.size(), 1);
        QCOMPARE(addedEvents.first().details.value("dataset").toString(), kAddedName);
        QCOMPARE(addedEvents.first().details.value("hostPath").toString(), addedFolder);
        QCOMPARE(addedEvents.first().details.value("fileCount").toInteger(), 2);
        QCOMPARE(eventsOf(*events, AuditEventKind::DatasetVerified).size(), 2);
        QCOMPARE(mounted.first().details.value("dataset").toString(), kDatasetName);
        QCOMPARE(
            mounted.first().details.value("manifestSha256").toString(), manifestDigest(folder));
        QCOMPARE(mounted.first().details.value("fileCount").toInteger(), 3);

        auto exports = eventsOf(*events, AuditEventKind::Export);
        QCOMPARE(exports.size(), 2);
        QCOMPARE(
            exports.first().details.value("outboxPath").toString(), QStringLiteral("result.txt"));
        QCOMPARE(exports.first().details.value("sha256").toString(), exportedHash);

        auto shreds = eventsOf(*events, AuditEventKind::ShredReport);
        QCOMPARE(shreds.size(), 1);
        QJsonObject report = shreds.first().details;
        QCOMPARE(report.value("abandoned").toBool(true), false);
        QVERIFY2(report.value("succeeded").toBool(), diagnostics().constData());
        QJsonArray items = report.value("items").toArray();
        QVERIFY(!items.isEmpty());
        for (const QJsonValue& item : std::as_const(items))
            QVERIFY2(item.toObject().value("succeeded").toBool(),
                qPrintable(item.toObject().value("what").toString()));

        QCOMPARE(eventsOf(*events, AuditEventKind::SessionEnded).size(), 1);
        for (const app::AuditEvent& error : eventsOf(*events, AuditEventKind::EngineError))
            QFAIL(qPrintable(QStringLiteral("a clean session recorded an engine error: ") +
                error.details.value("message").toString()));
        // Order: created, mounted, exported, shredded, ended.
        QVERIFY(createdEvents.first().id < mounted.first().id);
        QVERIFY(mounted.first().id < exports.first().id);
        QVERIFY(exports.first().id < shreds.first().id);
        QVERIFY(shreds.first().id < eventsOf(*events, AuditEventKind::SessionEnded).first().id);

        app::AuditVerification verification = manager->audit().verify();
        QVERIFY2(verification.intact, qPrintable(verification.problem));
    }
};

// AIRLOCK_LAB_TEST_MAIN with a QCoreApplication: the app's core needs an event loop (QProcess,
// queued signals from the engine's channel, timers), which the engine's own lab tests do not.
int main(int argc, char** argv)
{
    int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        std::printf("SKIPPED: no usable /dev/kvm on this machine; run lab tests inside the KVM "
                    "lab: tests/lab/run ctest --test-dir BUILD -L lab\n");
        return 77;
    }
    ::close(fd);
    QCoreApplication application(argc, argv);
    AppSessionLabTest test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_app_session.moc"
