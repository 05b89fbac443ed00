#include "OutboxDialogs.h"

#include <QCoreApplication>
#include <QFileDialog>
#include <QMessageBox>
#include <QPushButton>
#include <QStandardPaths>

namespace ui {

namespace {

QString translate(const char* text, const char* disambiguation = nullptr, int count = -1)
{
    return QCoreApplication::translate("ui::OutboxDialogs", text, disambiguation, count);
}

QString standardChooseFolder(QWidget* parent)
{
    return QFileDialog::getExistingDirectory(parent, translate("Export outbox files to"),
        QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation));
}

bool standardConfirmExport(
    QWidget* parent, const QList<app::OutboxFile>& files, const QString& folder)
{
    QStringList lines;
    for (const app::OutboxFile& file : files)
        lines.append(QStringLiteral("%1\n    SHA-256 %2").arg(file.path, file.sha256));
    QMessageBox box(QMessageBox::Question, translate("Export from the session"),
        translate("Export %n file(s) to %1? They leave the session, and the export is recorded "
                  "in the audit trail with each file's hash.",
            nullptr, static_cast<int>(files.size()))
            .arg(folder),
        QMessageBox::Cancel, parent);
    box.addButton(translate("Export"), QMessageBox::AcceptRole);
    box.setDetailedText(lines.join(QLatin1Char('\n')));
    return box.exec() != QMessageBox::Cancel;
}

OverwriteChoice standardAskOverwrite(QWidget* parent, const QString& destination)
{
    QMessageBox box(QMessageBox::Warning, translate("File exists"),
        translate("%1 exists already. Replace it with the file from the outbox, or skip this "
                  "file?")
            .arg(destination),
        QMessageBox::NoButton, parent);
    QAbstractButton* replace = box.addButton(translate("Replace"), QMessageBox::DestructiveRole);
    box.addButton(translate("Skip"), QMessageBox::RejectRole);
    box.exec();
    return box.clickedButton() == replace ? OverwriteChoice::Overwrite : OverwriteChoice::Skip;
}

void standardShowResults(QWidget* parent, const QList<OutboxExportResult>& results)
{
    QStringList lines;
    int failed = 0;
    for (const OutboxExportResult& result : results) {
        if (result.exported) {
            lines.append(translate("✔ %1 → %2\n    SHA-256 %3 (verified)")
                             .arg(result.file.path, result.destination, result.sha256));
        } else if (result.skipped) {
            lines.append(
                translate("– %1: skipped, %2 exists").arg(result.file.path, result.destination));
        } else {
            ++failed;
            lines.append(translate("✘ %1: %2").arg(result.file.path, result.error));
        }
    }
    QMessageBox box(failed > 0 ? QMessageBox::Warning : QMessageBox::Information,
        translate("Export finished"),
        failed > 0
            ? translate("%n file(s) could not be exported; see the details.", nullptr, failed)
            : translate("The export is finished; see the details for each file's hash."),
        QMessageBox::Ok, parent);
    box.setDetailedText(lines.join(QLatin1Char('\n')));
    box.exec();
}

} // namespace

OutboxDialogs OutboxDialogs::standard()
{
    return OutboxDialogs {
        standardChooseFolder, standardConfirmExport, standardAskOverwrite, standardShowResults};
}

} // namespace ui
