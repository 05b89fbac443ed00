#pragma once

#include "OutboxDialogs.h"

#include <QList>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;
class QTimer;

namespace ui {

class OutboxFileModel;
class OutboxPreview;
class OutboxSource;

/// A session's /outbox (issue 4, "take results out only through the outbox"): the files with
/// size, SHA-256 and time, refreshed every 5 s while visible; a preview of the selected file;
/// and the export of chosen files to a folder (confirmation with hashes, progress, the verified
/// hash of each file, overwrite or skip). Files leave only through OutboxSource::exportFile().
class OutboxPanel : public QWidget {
    Q_OBJECT
public:
    /// A panel over `source`, which must outlive it.
    explicit OutboxPanel(OutboxSource& source, QWidget* parent = nullptr);

    /// Replaces the real dialogs (folder picker, confirmation, overwrite, results), for tests.
    void setDialogs(OutboxDialogs dialogs);

    /// The listed files.
    OutboxFileModel* model() const { return m_model; }
    /// The preview pane.
    OutboxPreview* preview() const { return m_preview; }
    /// The file table.
    QTableView* fileView() const { return m_view; }
    /// The line under the buttons: the last refresh, export or error.
    QString statusText() const;
    /// Whether an export is under way.
    bool isExporting() const { return m_exporting; }

public slots:
    /// Lists /outbox again (skipped while a listing is still on its way).
    void refresh();
    /// Selects the file at `path` and previews it.
    void selectFile(const QString& path);
    /// Asks for a folder and exports the selected files there.
    void exportSelected();
    /// Copies the selected file's full SHA-256 to the clipboard.
    void copySelectedHash();

signals:
    /// A listing arrived (or failed; see statusText()).
    void refreshed();
    /// The preview pane shows the selected file (or why it cannot).
    void previewShown();
    /// An export is finished, with each file's outcome.
    void exportFinished(const QList<ui::OutboxExportResult>& results);

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    QList<app::OutboxFile> selectedFiles() const;
    void previewSelection();
    void exportFiles(const QList<app::OutboxFile>& files, const QString& folder);
    void finishExport(const QList<OutboxExportResult>& results);
    void setStatus(const QString& text, bool error = false);
    void updateActions();

    OutboxSource& m_source;
    OutboxDialogs m_dialogs;
    OutboxFileModel* m_model = nullptr;
    OutboxPreview* m_preview = nullptr;
    QTableView* m_view = nullptr;
    QPushButton* m_refreshButton = nullptr;
    QPushButton* m_exportButton = nullptr;
    QLabel* m_status = nullptr;
    QProgressBar* m_progress = nullptr;
    QTimer* m_autoRefresh = nullptr;
    bool m_listing = false;
    bool m_exporting = false;
    // Bumped per selection, so that a slow preview of an earlier file is dropped.
    quint64 m_previewGeneration = 0;
};

} // namespace ui
