#pragma once

#include "AppResult.h"

#include <QString>

namespace app::AuditPdf {

/// Lays out `html` (AuditExport::sessionRecordHtml()) on A4 pages and writes it to `path` as a
/// PDF. Needs a QGuiApplication (the offscreen platform will do) for fonts.
Result<void> write(const QString& html, const QString& path);

} // namespace app::AuditPdf
