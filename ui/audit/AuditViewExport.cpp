// AuditView: a session's record saved for an auditor, as CSV or as a PDF with the chain verdict.

#include "AuditChainCheck.h"
#include "AuditFilterBar.h"
#include "AuditTimelineModel.h"
#include "AuditView.h"
#include "audit/AuditExport.h"
#include "audit/AuditStore.h"
#include "audit/pdf/AuditPdf.h"

#include <QDir>
#include <QFileDialog>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTableView>
#include <QtConcurrent>

namespace ui {

namespace {

struct SessionRecord {
    app::AuditSessionSummary summary;
    QList<app::AuditEvent> events;
};

app::Result<SessionRecord> readSessionRecord(app::AuditStore& store, const QString& sessionId)
{
    app::AuditFilter filter;
    filter.sessionId = sessionId;
    SessionRecord record;
    record.events = APP_TRY(store.events(filter));
    const QList<app::AuditSessionSummary> sessions = APP_TRY(store.sessions());
    for (const app::AuditSessionSummary& session : sessions) {
        if (session.sessionId == sessionId)
            record.summary = session;
    }
    return record;
}

QString suggestedName(const QString& sessionName, const QString& suffix)
{
    QString safe = sessionName;
    safe.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("-"));
    return QStringLiteral("airlock-audit-%1.%2").arg(safe, suffix);
}

} // namespace

QString AuditView::exportSessionId() const
{
    const QString filtered = m_filters->filter().sessionId;
    if (!filtered.isEmpty())
        return filtered;
    const QModelIndex current = m_timeline->currentIndex();
    return current.isValid() ? m_model->event(current.row()).sessionId : QString();
}

QString AuditView::chooseSavePath(
    const QString& title, const QString& suggested, const QString& filter)
{
    if (m_savePathChooser)
        return m_savePathChooser(this, title, suggested, filter);
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return QFileDialog::getSaveFileName(this, title, QDir(folder).filePath(suggested), filter);
}

std::pair<QString, QString> AuditView::chooseExport(
    const QString& title, const QString& suffix, const QString& filter)
{
    const QString sessionId = exportSessionId();
    if (sessionId.isEmpty()) {
        setStatus(tr("Choose a session in the filter, or select one of its events, to export "
                     "its record."),
            true);
        return {};
    }
    return {sessionId,
        chooseSavePath(title, suggestedName(m_model->sessionName(sessionId), suffix), filter)};
}

void AuditView::exportSessionCsv()
{
    const auto [sessionId, path] = chooseExport(
        tr("Export session record as CSV"), QStringLiteral("csv"), tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    auto record = readSessionRecord(m_store, sessionId);
    auto written = record ? app::AuditExport::writeCsv(record->events, path)
                          : app::Result<void>(app::failure(record.error().message));
    if (!written) {
        setStatus(tr("The CSV was not saved: %1").arg(written.error().message), true);
        return;
    }
    setStatus(tr(
        "%n event(s) of the session saved to %1.", nullptr, static_cast<int>(record->events.size()))
                  .arg(path));
    emit sessionExported(path);
}

void AuditView::exportSessionPdf()
{
    const auto [sessionId, path] = chooseExport(
        tr("Export session record as PDF"), QStringLiteral("pdf"), tr("PDF files (*.pdf)"));
    if (path.isEmpty())
        return;
    // The record carries the chain's verdict at export time; the check may take a while.
    setStatus(tr("Checking the chain for the record…"));
    QtConcurrent::run(verifyAuditFile, m_store.path())
        .then(this, [this, sessionId, path](const app::AuditVerification& verification) {
            writePdf(sessionId, path, verification);
        });
}

void AuditView::writePdf(
    const QString& sessionId, const QString& path, const app::AuditVerification& verification)
{
    auto record = readSessionRecord(m_store, sessionId);
    auto written = record ? app::AuditPdf::write(app::AuditExport::sessionRecordHtml(
                                                     record->summary, record->events, verification),
                                path)
                          : app::Result<void>(app::failure(record.error().message));
    if (!written) {
        setStatus(tr("The PDF was not saved: %1").arg(written.error().message), true);
        return;
    }
    setStatus(tr("The session's record was saved to %1.").arg(path));
    emit sessionExported(path);
}

} // namespace ui
