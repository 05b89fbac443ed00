#pragma once

#include "AppResult.h"
#include "engine/EngineLocator.h"
#include "session/SessionRequest.h"

#include <chrono>
#include <memory>

#include <QList>
#include <QObject>

namespace app {

class AuditStore;
class ManagedSession;

/// Every session of one app instance, and the only writer of the audit trail: starts sessions
/// from validated requests, records what happens to them (creation with the purpose, dataset
/// digests at mount and at the end, states, exports with hashes, shred reports), enforces each
/// session's maximum lifetime, and keeps ended sessions until the UI lets them go. Lives on the
/// GUI thread; never blocks it.
class SessionManager : public QObject {
    Q_OBJECT
public:
    /// Takes the audit store (and records app-started) and where the engine is.
    static Result<std::unique_ptr<SessionManager>> create(
        std::unique_ptr<AuditStore> audit, EngineLocation location, QObject* parent = nullptr);
    ~SessionManager() override;

    /// Validates `request`, records session-created, and starts its engine. The session appears
    /// at once (state Starting); a failure to start shows up as its state, not here.
    Result<ManagedSession*> startSession(const SessionRequest& request);
    /// The sessions, oldest first, ended ones included until forget().
    QList<ManagedSession*> sessions() const;
    /// Drops an ended session (its window closed). Refused while it runs.
    Result<void> forget(ManagedSession* session);
    /// Stops every running session (for quitting); done() when all are shredded.
    void closeAll();

    /// The audit trail (owned here; same thread).
    AuditStore& audit();
    /// Where airlock-vmm, the kernel and the initramfs are, and whether sessions run in the lab.
    const EngineLocation& engineLocation() const;

    /// Sessions started after this last `lifetime` instead of their request's (tests; 0 undoes).
    void setLifetimeOverride(std::chrono::milliseconds lifetime);
    /// How long a clean close may take before the session is stopped by force (default 30 s).
    void setForceDelay(std::chrono::milliseconds delay);

signals:
    /// A session was started.
    void sessionAdded(app::ManagedSession* session);
    /// forget() dropped it; the pointer dies after this signal.
    void sessionRemoved(app::ManagedSession* session);
    /// An event was appended to the audit trail (the audit view refreshes).
    void auditAppended();
    /// closeAll() finished: every session is ended and shredded.
    void allClosed();

private:
    void onSessionEnded();

    SessionManager(std::unique_ptr<AuditStore> audit, EngineLocation location, QObject* parent);
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace app
