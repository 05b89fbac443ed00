#include "SessionSetup.h"
#include "engine/DatasetGrant.h"

#include <cerrno>
#include <cstring>

#include <sys/stat.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QStandardPaths>

namespace app::SessionSetup {

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("app::SessionSetup", text);
}

// mkdir with mode 0700; an existing directory is accepted when `mayExist`.
Result<void> makePrivateDirectory(const QString& path, bool mayExist)
{
    QByteArray name = QFile::encodeName(path);
    if (::mkdir(name.constData(), 0700) == 0)
        return {};
    if (errno == EEXIST && mayExist)
        return {};
    return failure(tr("Airlock cannot create the session's private folder %1: %2. Check that "
                      "the folder above it is yours and writable, or set XDG_RUNTIME_DIR.")
                       .arg(path, QString::fromLocal8Bit(std::strerror(errno))));
}
} // namespace

QString runtimeRoot()
{
    QString base = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (base.isEmpty())
        base = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    return QDir(base).filePath(QStringLiteral("airlock"));
}

Result<QString> createDirectory(const QString& sessionId)
{
    QString root = runtimeRoot();
    APP_TRY(makePrivateDirectory(root, true));
    QString directory = QDir(root).filePath(sessionId);
    APP_TRY(makePrivateDirectory(directory, false));
    return directory;
}

void removeUnusedDirectory(const QString& directory)
{
    if (!directory.isEmpty())
        QDir(directory).removeRecursively();
}

QStringList guestCommand(const SessionRequest& request)
{
    return request.command.isEmpty() ? QStringList {QStringLiteral("/bin/sh")} : request.command;
}

QByteArray makeDisplayPassword()
{
    // VNC authentication uses the first 8 characters; no look-alikes (0/O, 1/l/I), so it can be
    // read off the screen and typed into another viewer.
    static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    constexpr int kAlphabetSize = sizeof(kAlphabet) - 1;
    QByteArray password(8, Qt::Uninitialized);
    for (char& character : password)
        character = kAlphabet[QRandomGenerator::system()->bounded(kAlphabetSize)];
    return password;
}

EngineLaunch launchFor(
    const SessionRequest& request, const EngineLocation& location, const QString& directory)
{
    EngineLaunch launch;
    launch.vmmPath = location.vmmPath;
    launch.kernelPath = location.kernelPath;
    launch.initramfsPath = location.initramfsPath;
    launch.wrapperPrefix = location.wrapperPrefix;
    launch.throughLab = location.throughLab;
    launch.vcpus = request.vcpus;
    launch.memoryMiB = request.memoryMiB;
    for (const DatasetSource& dataset : request.datasets)
        launch.datasets.append({dataset.name, dataset.hostPath});
    launch.scratchMiB = request.scratchMiB;
    launch.sessionDirectory = directory;
    launch.shredReportPath = QDir(directory).filePath(QStringLiteral("shred-report.json"));
    launch.command = guestCommand(request);
    launch.datasetGrantKey = DatasetGrant::makeKey();
    launch.displaySize = request.displaySize;
    launch.commandOnDisplay = request.mainView == MainView::Display;
    if (request.allowExternalViewers) {
        launch.displayTcp = true;
        launch.displayPassword = makeDisplayPassword();
    }
    return launch;
}

} // namespace app::SessionSetup
