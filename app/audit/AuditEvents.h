#pragma once

#include "audit/AuditEvent.h"

#include <optional>

#include <QJsonObject>
#include <QString>

namespace app {

struct AuditVerification;

/// The events the app records, one function per kind, so that every caller spells the details
/// the same way. They take metadata only (names, sizes, counts, digests): nothing here can carry
/// console text or file contents. Time, user and host are left for AuditStore::append() to fill.
namespace AuditEvents {

/// The app (or airlockctl) started: `version` of this build.
AuditEvent appStarted(const QString& version);

/// The screen a session was given, for session-created's "display" field.
struct SessionDisplayFacts {
    int width = 0;
    int height = 0;
    /// "console" or "display": where the command runs.
    QString mainView;
    /// Whether other VNC viewers on the computer could connect (127.0.0.1, with a password).
    bool externalViewers = false;
};

/// A session was created with its purpose of use, command and resources (and its screen, when
/// it has one: {width, height, mainView, externalViewers}).
AuditEvent sessionCreated(const QString& sessionId, const QString& name, const QString& purpose,
    const QString& command, int vcpus, qint64 memoryMiB, qint64 lifetimeSeconds,
    const std::optional<SessionDisplayFacts>& display = std::nullopt);

/// A dataset was mounted: where it comes from, how big it is and its manifest digest.
AuditEvent datasetMounted(const QString& sessionId, const QString& dataset, const QString& hostPath,
    qint64 sizeBytes, qint64 fileCount, const QString& manifestSha256);

/// A dataset was added to the running session (by a drop): where it comes from and how big it
/// is; its manifest digest follows in a datasetMounted event once the engine has hashed it.
AuditEvent datasetAdded(const QString& sessionId, const QString& dataset, const QString& hostPath,
    qint64 sizeBytes, qint64 fileCount);

/// A dataset was checked again at unmount: its digest then and how many files differ.
AuditEvent datasetVerified(const QString& sessionId, const QString& dataset,
    const QString& digestAtUnmount, qint64 changed, qint64 vanished, qint64 added);

/// The session entered state `state` ("starting", "running", "paused"...).
AuditEvent sessionState(const QString& sessionId, const QString& state);

/// The session ended, with the guest's exit status when it gave one.
AuditEvent sessionEnded(
    const QString& sessionId, std::optional<int> exitStatus, const QString& reason);

/// A file left the session through the outbox.
AuditEvent exported(const QString& sessionId, const QString& outboxPath,
    const QString& destinationPath, qint64 sizeBytes, const QString& sha256);

/// The engine's shred report for the session, recorded as the engine sent it.
AuditEvent shredReport(const QString& sessionId, const QJsonObject& report);

/// The engine failed; `message` is the engine's error (never guest output).
AuditEvent engineError(const QString& sessionId, const QString& message);

/// Someone verified the trail, with the outcome.
AuditEvent auditVerified(const AuditVerification& verification);

} // namespace AuditEvents

} // namespace app
