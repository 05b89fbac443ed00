#pragma once

#include "audit/AuditEvent.h"

#include <QString>

namespace ui {

/// The kind of an audit event in words for the timeline ("Dataset mounted").
QString auditKindLabel(app::AuditEventKind kind);

/// One line saying what `event` records ("cohort-a mounted: 12 files, 3.4 MB, digest 9f2c…"),
/// for the timeline; the details pane shows everything.
QString auditEventSummary(const app::AuditEvent& event);

} // namespace ui
