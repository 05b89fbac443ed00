#pragma once

#include "audit/AuditVerification.h"

#include <QString>

namespace ui {

/// Verifies the trail at `path` on a connection of its own: for a worker thread, since Qt Sql
/// connections belong to the thread that opened them. A file that cannot be opened is reported
/// as not intact, with the reason.
app::AuditVerification verifyAuditFile(const QString& path);

} // namespace ui
