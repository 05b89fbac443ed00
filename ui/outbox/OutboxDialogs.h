#pragma once

#include "GuestAgent.h"

#include <functional>

#include <QList>
#include <QString>

class QWidget;

namespace ui {

/// What the user chose for a file that already exists at the destination.
enum class OverwriteChoice { Overwrite, Skip };

/// How one file of an export ended.
struct OutboxExportResult {
    /// The outbox file, as listed when the export began.
    app::OutboxFile file;
    /// Where it was (or would have been) written.
    QString destination;
    /// It was written and its hash verified.
    bool exported = false;
    /// The user chose not to overwrite an existing file.
    bool skipped = false;
    /// The SHA-256 of the bytes written, as verified against the guest's.
    QString sha256;
    /// What went wrong and what to do; empty unless it failed.
    QString error;
};

/// The questions the export flow asks, as functions so that tests can answer them without real
/// dialogs. standard() gives the real ones (QFileDialog, QMessageBox).
struct OutboxDialogs {
    /// Asks for the destination folder; empty when cancelled.
    std::function<QString(QWidget* parent)> chooseFolder;
    /// Shows the files (with their hashes) about to leave the session; true to go on.
    std::function<bool(QWidget* parent, const QList<app::OutboxFile>& files, const QString& folder)>
        confirmExport;
    /// Asks what to do about `destination`, which exists already.
    std::function<OverwriteChoice(QWidget* parent, const QString& destination)> askOverwrite;
    /// Shows how each file ended, with the verified hash.
    std::function<void(QWidget* parent, const QList<OutboxExportResult>& results)> showResults;

    /// The real dialogs.
    static OutboxDialogs standard();
};

} // namespace ui
