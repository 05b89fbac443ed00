#include "DropParser.h"

#include <QCoreApplication>
#include <QDir>
#include <QMimeData>
#include <QUrl>

namespace app {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("app::DropParser", text);
}

constexpr qsizetype kShownTextLength = 60;

// Enough of the dropped text or address to recognise it, on one line.
QString excerpt(const QString& text)
{
    QString line = text.simplified();
    if (line.size() > kShownTextLength)
        line = line.left(kShownTextLength - 1) + u'…';
    return line;
}

bool isLocalHost(const QString& host)
{
    return host.isEmpty() || host.compare(u"localhost", Qt::CaseInsensitive) == 0;
}

Result<QString> localPath(const QUrl& url)
{
    QString shown = excerpt(url.toDisplayString(QUrl::PreferLocalFile));
    QString scheme = url.scheme().toLower();
    if (scheme == u"http" || scheme == u"https" || scheme == u"ftp")
        return failure(tr("“%1” is a web address, not a file on this computer. Download it first, "
                          "then drop the downloaded file.")
                           .arg(shown));
    if (scheme != u"file")
        return failure(tr("“%1” is not a file on this computer (its address starts with “%2:”). "
                          "Copy it to a local folder first, then drop it from there.")
                           .arg(shown, url.scheme()));
    if (!isLocalHost(url.host()))
        return failure(tr("“%1” is on another computer (%2). Copy it to a local folder first, "
                          "then drop it from there.")
                           .arg(shown, url.host()));
    // Not toLocalFile(): it turns file://localhost/x into the UNC-style "//localhost/x".
    QString path = url.path(QUrl::FullyDecoded);
    if (path.isEmpty() || !QDir::isAbsolutePath(path))
        return failure(tr("“%1” is not a complete file path; drop the folder or file from your "
                          "file manager.")
                           .arg(shown));
    return QDir::cleanPath(path);
}

} // namespace

bool DropParser::mayHoldFiles(const QMimeData* data)
{
    return data != nullptr && (data->hasUrls() || data->hasText());
}

Result<QStringList> DropParser::localPaths(const QMimeData* data)
{
    if (data == nullptr)
        return failure(tr("Nothing was dropped; drag folders or files from your file manager."));
    const QList<QUrl> urls = data->urls();
    if (urls.isEmpty()) {
        if (data->hasText() && !data->text().trimmed().isEmpty())
            return failure(tr("The drop held text (“%1”), not folders or files. Drag folders or "
                              "files from your file manager instead.")
                               .arg(excerpt(data->text())));
        return failure(tr("The drop held no folders or files. Drag folders or files from your "
                          "file manager."));
    }
    QStringList paths;
    for (const QUrl& url : urls) {
        QString path = APP_TRY(localPath(url));
        if (!paths.contains(path))
            paths.append(path);
    }
    return paths;
}

} // namespace app
