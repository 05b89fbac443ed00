#pragma once

#include "audit/AuditVerification.h"

#include <functional>
#include <utility>

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace app {
class AuditStore;
} // namespace app

namespace ui {

class AuditFilterBar;
class AuditTimelineModel;

/// The audit trail for the user and their auditor (issue 4, §6): a filtered timeline, the full
/// details and hash of the selected row, a one-click check of the hash chain that points at the
/// first broken row, and a session's record exported as CSV or PDF.
///
/// It only reads. The outcome of a check is handed to the owner (setVerificationRecorder(), or
/// verified()), because SessionManager is the trail's single writer.
class AuditView : public QWidget {
    Q_OBJECT
public:
    /// Asks for the file to save to: dialog title, suggested file name, name filter; empty when
    /// cancelled.
    using SavePathChooser = std::function<QString(QWidget* parent, const QString& title,
        const QString& suggestedName, const QString& filter)>;

    /// A view of `store` (the owner's, on this thread), which must outlive it.
    explicit AuditView(app::AuditStore& store, QWidget* parent = nullptr);

    /// Called with every verification outcome, to record it (AuditEvents::auditVerified).
    void setVerificationRecorder(std::function<void(const app::AuditVerification&)> recorder);
    /// Replaces the save dialog (for tests).
    void setSavePathChooser(SavePathChooser chooser);

    /// The timeline's rows.
    AuditTimelineModel* model() const { return m_model; }
    /// The filters.
    AuditFilterBar* filterBar() const { return m_filters; }
    /// The timeline table.
    QTableView* timelineView() const { return m_timeline; }
    /// The verification banner's text (empty before the first check).
    QString bannerText() const;
    /// The details pane: the selected row as pretty-printed JSON with its hash.
    QString detailsText() const;
    /// The status line (exports, errors).
    QString statusText() const;
    /// Whether a check runs.
    bool isVerifying() const { return m_verifying; }

public slots:
    /// Reads the trail again with the current filters (connect SessionManager::auditAppended).
    void refresh();
    /// Checks the whole chain on a second connection in a worker thread.
    void verifyChain();
    /// Saves the chosen session's events as CSV.
    void exportSessionCsv();
    /// Saves the chosen session's record (summary, events, hashes, chain verdict) as a PDF.
    void exportSessionPdf();

signals:
    /// A check finished with this outcome.
    void verified(const app::AuditVerification& verification);
    /// A session record was written to `path`.
    void sessionExported(const QString& path);

private:
    void showVerification(const app::AuditVerification& verification);
    void showDetails();
    void setStatus(const QString& text, bool error = false);
    QString exportSessionId() const;
    /// The session to export and where to (both empty when the user has chosen no session or
    /// cancelled; the status line then says what to do).
    std::pair<QString, QString> chooseExport(
        const QString& title, const QString& suffix, const QString& filter);
    QString chooseSavePath(
        const QString& title, const QString& suggestedName, const QString& filter);
    void writePdf(
        const QString& sessionId, const QString& path, const app::AuditVerification& verification);

    app::AuditStore& m_store;
    std::function<void(const app::AuditVerification&)> m_recorder;
    SavePathChooser m_savePathChooser;
    AuditFilterBar* m_filters = nullptr;
    AuditTimelineModel* m_model = nullptr;
    QTableView* m_timeline = nullptr;
    QLabel* m_banner = nullptr;
    QLabel* m_rowHash = nullptr;
    QPlainTextEdit* m_details = nullptr;
    QPushButton* m_verifyButton = nullptr;
    QLabel* m_status = nullptr;
    bool m_verifying = false;
};

} // namespace ui
