#pragma once

#include "AppResult.h"
#include "engine/EngineLaunch.h"
#include "engine/EngineLocator.h"
#include "session/SessionRequest.h"

#include <QString>
#include <QStringList>

namespace app::SessionSetup {

/// The folder that holds every session's runtime directory: $XDG_RUNTIME_DIR/airlock (RAM on
/// systemd hosts), else Qt's runtime location.
QString runtimeRoot();

/// Creates `runtimeRoot()/<sessionId>` with mode 0700 (and the root with 0700 when missing).
/// Fails when it exists already or cannot be made private.
Result<QString> createDirectory(const QString& sessionId);

/// Removes a session directory that no engine ever used (a start that failed).
void removeUnusedDirectory(const QString& directory);

/// The command the guest runs for `request`: its command, or an interactive /bin/sh.
QStringList guestCommand(const SessionRequest& request);

/// A fresh password for the session's external VNC viewers: 8 characters (what VNC
/// authentication uses) without look-alikes, from the kernel's CSPRNG.
QByteArray makeDisplayPassword();

/// The engine launch for `request` on `location`, in `directory` (shred report written there).
EngineLaunch launchFor(
    const SessionRequest& request, const EngineLocation& location, const QString& directory);

} // namespace app::SessionSetup
