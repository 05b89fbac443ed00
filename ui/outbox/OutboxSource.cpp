#include "OutboxSource.h"

#include <memory>

#include <QCoreApplication>
#include <QFile>
#include <QFileDevice>
#include <QTemporaryDir>

namespace ui {

namespace {

QString translate(const char* text)
{
    return QCoreApplication::translate("ui::OutboxSource", text);
}

// Reads the exported copy; the folder (and the copy in it) is removed when `folder` goes.
app::Result<QByteArray> readPreviewCopy(
    const std::shared_ptr<QTemporaryDir>& folder, const QString& copy, qint64 maxBytes)
{
    QFile file(copy);
    if (!file.open(QIODevice::ReadOnly))
        return app::failure(translate("Cannot read the preview copy (%1). Try Refresh, then "
                                      "select the file again.")
                                .arg(file.errorString()));
    QByteArray bytes = file.read(maxBytes);
    file.close();
    QFile::remove(copy);
    folder->remove();
    return bytes;
}

} // namespace

QFuture<app::Result<QByteArray>> OutboxSource::preview(const QString& name, qint64 maxBytes)
{
    auto folder = std::make_shared<QTemporaryDir>();
    if (!folder->isValid())
        return QtFuture::makeReadyFuture(app::Result<QByteArray>(app::failure(
            translate("Cannot create a private temporary folder for the preview (%1). Check "
                      "that the temporary folder is writable.")
                .arg(folder->errorString()))));
    // QTemporaryDir already creates it 0700; say so explicitly, the copy holds session data.
    QFile::setPermissions(
        folder->path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QString copy = folder->filePath(QStringLiteral("preview"));
    return previewCopy(name, copy)
        .then(QtFuture::Launch::Async,
            [folder, copy, maxBytes](const app::Result<app::OutboxExport>& exported) {
                if (!exported)
                    return app::Result<QByteArray>(app::failure(exported.error().message));
                return readPreviewCopy(folder, copy, maxBytes);
            });
}

} // namespace ui
