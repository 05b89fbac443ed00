#pragma once

#include <QJsonObject>
#include <QString>

namespace app {

/// Shreds what an engine that ended without shredding (crashed, killed with SIGKILL, lost) left
/// in `sessionDirectory` (vmm::completeAbandonedSession: scratch files punched out and unlinked,
/// then everything else) and returns the shred report: the engine's format plus "abandoned":
/// true, "cause" (what happened, for the auditor) and "completedBy". With no directory the report
/// says that nothing on this host could be checked. Blocks: call it on a worker thread.
QJsonObject shredAbandonedSession(const QString& sessionDirectory, const QString& cause);

} // namespace app
