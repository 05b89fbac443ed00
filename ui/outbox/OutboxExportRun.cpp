#include "OutboxExportRun.h"

#include "OutboxSource.h"

#include <QDir>
#include <QFileInfo>

namespace ui {

OutboxExportRun::OutboxExportRun(OutboxSource& source, QList<app::OutboxFile> files, QString folder,
    std::function<OverwriteChoice(const QString&)> askOverwrite, QObject* parent)
    : QObject(parent)
    , m_source(source)
    , m_files(std::move(files))
    , m_folder(std::move(folder))
    , m_askOverwrite(std::move(askOverwrite))
{
}

void OutboxExportRun::start()
{
    next();
}

void OutboxExportRun::record(OutboxExportResult result)
{
    m_results.append(result);
    emit fileFinished(result);
    next();
}

void OutboxExportRun::next()
{
    const int total = static_cast<int>(m_files.size());
    const int done = static_cast<int>(m_results.size());
    if (done == total) {
        emit progressed(done, total, {});
        emit finished(m_results);
        return;
    }
    const app::OutboxFile& file = m_files.at(done);
    emit progressed(done, total, file.path);

    OutboxExportResult result;
    result.file = file;
    // The name comes from the guest: only its last component is used, so that "../x" or
    // "/etc/x" cannot point anywhere but into the chosen folder.
    const QString name = QFileInfo(file.path).fileName();
    if (name.isEmpty() || name == QLatin1String(".") || name == QLatin1String("..")) {
        result.error = tr("The outbox name \"%1\" is not a file name; rename the file inside "
                          "the session and export it again.")
                           .arg(file.path);
        record(result);
        return;
    }
    result.destination = QDir(m_folder).filePath(name);
    if (QFileInfo::exists(result.destination) &&
        m_askOverwrite(result.destination) == OverwriteChoice::Skip) {
        result.skipped = true;
        record(result);
        return;
    }
    m_source.exportFile(file.path, result.destination)
        .then(this,
            [this, result](const app::Result<app::OutboxExport>& exported) mutable {
                if (exported) {
                    result.exported = true;
                    result.destination = exported->destination;
                    result.sha256 = exported->sha256;
                } else {
                    result.error = exported.error().message;
                }
                record(result);
            })
        .onCanceled(this, [this, result]() mutable {
            result.error = tr("The export was cut short (the session ended or lost its "
                              "agent). Export the file again if the session still runs.");
            record(result);
        });
}

} // namespace ui
