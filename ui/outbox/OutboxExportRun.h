#pragma once

#include "OutboxDialogs.h"

#include <functional>

#include <QList>
#include <QObject>

namespace ui {

class OutboxSource;

/// One export of several outbox files into a folder, one file after the other, never blocking
/// the GUI thread: each file goes through OutboxSource::exportFile() to
/// folder/<its file name>; an existing file is only replaced if `askOverwrite` says so.
class OutboxExportRun : public QObject {
    Q_OBJECT
public:
    /// Prepares the export of `files` from `source` (which must outlive the run) into `folder`.
    OutboxExportRun(OutboxSource& source, QList<app::OutboxFile> files, QString folder,
        std::function<OverwriteChoice(const QString& destination)> askOverwrite,
        QObject* parent = nullptr);

    /// Begins; progressed() and fileFinished() follow, then finished().
    void start();

signals:
    /// `done` of `total` files are finished; `current` is the one now being copied.
    void progressed(int done, int total, const QString& current);
    /// One file is finished (exported, skipped or failed).
    void fileFinished(const ui::OutboxExportResult& result);
    /// Every file is finished.
    void finished(const QList<ui::OutboxExportResult>& results);

private:
    void next();
    void record(OutboxExportResult result);

    OutboxSource& m_source;
    QList<app::OutboxFile> m_files;
    QString m_folder;
    std::function<OverwriteChoice(const QString&)> m_askOverwrite;
    QList<OutboxExportResult> m_results;
};

} // namespace ui
