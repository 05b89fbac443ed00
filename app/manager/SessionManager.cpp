#include "SessionManager.h"

#include "AuditWriter.h"
#include "ManagedSession.h"
#include "SessionSetup.h"
#include "audit/AuditEvents.h"
#include "audit/AuditStore.h"
#include "session/CommandLine.h"

#include <QUuid>

namespace app {

namespace {
// How long a clean close may take before the VM is stopped by force (the brief's 30 s: enough
// for the agent to sync and power off, short enough that a hung guest does not linger).
constexpr std::chrono::seconds kForceDelay {30};
} // namespace

struct SessionManager::Private {
    std::unique_ptr<AuditWriter> writer;
    EngineLocation location;
    QList<ManagedSession*> sessions;
    std::chrono::milliseconds lifetimeOverride {0};
    std::chrono::milliseconds forceDelay {kForceDelay};
    bool closingAll = false;
};

SessionManager::SessionManager(
    std::unique_ptr<AuditStore> audit, EngineLocation location, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->writer = std::make_unique<AuditWriter>(std::move(audit));
    d->location = std::move(location);
    connect(d->writer.get(), &AuditWriter::appended, this, &SessionManager::auditAppended);
}

SessionManager::~SessionManager()
{
    // Sessions go first: each EngineSession stops its engine (which shreds) as it is destroyed.
    qDeleteAll(d->sessions);
    d->sessions.clear();
}

Result<std::unique_ptr<SessionManager>> SessionManager::create(
    std::unique_ptr<AuditStore> audit, EngineLocation location, QObject* parent)
{
    if (!audit)
        return failure(tr("Airlock has no audit trail to record sessions in; it cannot start "
                          "sessions without one."));
    std::unique_ptr<SessionManager> manager(
        new SessionManager(std::move(audit), std::move(location), parent));
    if (auto recorded = manager->d->writer->store().append(
            AuditEvents::appStarted(QStringLiteral(AIRLOCK_VERSION)));
        !recorded)
        return failure(tr("Airlock cannot write its audit trail %1 (%2). Free space on its disk "
                          "or check its permissions, then start Airlock again.")
                           .arg(manager->d->writer->store().path(), recorded.error().message));
    return manager;
}

Result<ManagedSession*> SessionManager::startSession(const SessionRequest& request)
{
    if (QList<FieldProblem> problems = request.validate(HostLimits::current());
        !problems.isEmpty()) {
        QStringList messages;
        for (const FieldProblem& problem : problems)
            messages.append(problem.message);
        return failure(messages.join(QLatin1Char(' ')));
    }
    if (auto flushed = d->writer->flush(); !flushed)
        return failure(tr("No session can start while the audit trail cannot be written: %1")
                           .arg(flushed.error().message));

    QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    QString directory = APP_TRY(SessionSetup::createDirectory(id));
    EngineLaunch launch = SessionSetup::launchFor(request, d->location, directory);
    if (auto valid = launch.validate(); !valid) {
        SessionSetup::removeUnusedDirectory(directory);
        return tl::unexpected(valid.error());
    }

    std::chrono::milliseconds lifetime = d->lifetimeOverride.count() > 0
        ? d->lifetimeOverride
        : std::chrono::milliseconds(std::chrono::minutes(request.lifetimeMinutes));
    auto* session = new ManagedSession(this);
    // Audit failures after the start are kept and retried by the writer; the session says so.
    session->setUp(id, request, lifetime, d->forceDelay, [this, session](AuditEvent event) {
        if (auto recorded = d->writer->record(std::move(event)); !recorded)
            emit session->errorOccurred(recorded.error().message);
    });

    // A session that cannot be recorded does not run.
    AuditEvents::SessionDisplayFacts display {request.displaySize.width(),
        request.displaySize.height(),
        request.mainView == MainView::Display ? QStringLiteral("display") : QStringLiteral("console"),
        request.allowExternalViewers};
    auto created = d->writer->record(AuditEvents::sessionCreated(id, request.name, request.purpose,
        CommandLine::join(SessionSetup::guestCommand(request)), request.vcpus, request.memoryMiB,
        static_cast<qint64>(lifetime.count() / 1000), display));
    if (!created) {
        delete session;
        SessionSetup::removeUnusedDirectory(directory);
        return failure(tr("The session was not started: %1").arg(created.error().message));
    }
    d->writer->record(
        AuditEvents::sessionState(id, engineStateName(EngineState::Starting).toLower()));

    if (auto started = session->engine().start(launch); !started) {
        d->writer->record(AuditEvents::engineError(id, started.error().message));
        d->writer->record(AuditEvents::sessionEnded(id, std::nullopt, started.error().message));
        delete session;
        SessionSetup::removeUnusedDirectory(directory);
        return tl::unexpected(started.error());
    }
    d->sessions.append(session);
    connect(session, &ManagedSession::ended, this, &SessionManager::onSessionEnded);
    emit sessionAdded(session);
    return session;
}

QList<ManagedSession*> SessionManager::sessions() const
{
    return d->sessions;
}

Result<void> SessionManager::forget(ManagedSession* session)
{
    if (!d->sessions.contains(session))
        return failure(tr("This session is not one of Airlock's sessions any more."));
    if (!session->isEnded())
        return failure(
            tr("The session “%1” is still running; close it first.").arg(session->request().name));
    d->sessions.removeOne(session);
    emit sessionRemoved(session);
    session->deleteLater();
    return {};
}

void SessionManager::closeAll()
{
    d->closingAll = true;
    for (ManagedSession* session : std::as_const(d->sessions))
        session->closeFor(ManagedSession::CloseCause::Quit, false);
    // Queued, so that allClosed() never arrives before closeAll() has returned.
    QMetaObject::invokeMethod(this, &SessionManager::onSessionEnded, Qt::QueuedConnection);
}

void SessionManager::onSessionEnded()
{
    if (!d->closingAll)
        return;
    for (ManagedSession* session : std::as_const(d->sessions)) {
        if (!session->isEnded())
            return;
    }
    d->closingAll = false;
    emit allClosed();
}

AuditStore& SessionManager::audit()
{
    return d->writer->store();
}

const EngineLocation& SessionManager::engineLocation() const
{
    return d->location;
}

void SessionManager::setLifetimeOverride(std::chrono::milliseconds lifetime)
{
    d->lifetimeOverride = lifetime;
}

void SessionManager::setForceDelay(std::chrono::milliseconds delay)
{
    d->forceDelay = delay;
}

} // namespace app
