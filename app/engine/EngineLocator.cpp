#include "EngineLocator.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

namespace app {

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("app::EngineLocator", text);
}

bool isExecutableFile(const QString& path)
{
    QFileInfo info(path);
    return info.isFile() && info.isExecutable();
}

bool isReadableFile(const QString& path)
{
    QFileInfo info(path);
    return info.isFile() && info.isReadable();
}

// The first of `candidates` that passes `accept`, or "".
template<typename Accept> QString firstOf(const QStringList& candidates, Accept accept)
{
    for (const QString& candidate : candidates) {
        if (!candidate.isEmpty() && accept(candidate))
            return QFileInfo(candidate).absoluteFilePath();
    }
    return {};
}

// The newest kernel-*/bzImage under the kernel cache.
QString newestCachedKernel(const QString& cacheDirectory)
{
    if (cacheDirectory.isEmpty())
        return {};
    QDir cache(cacheDirectory);
    const QFileInfoList builds = cache.entryInfoList(
        {QStringLiteral("kernel-*")}, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Time);
    for (const QFileInfo& build : builds) {
        QString image = build.absoluteFilePath() + QStringLiteral("/bzImage");
        if (isReadableFile(image))
            return image;
    }
    return {};
}
} // namespace

bool EngineLocation::canStartSessions() const
{
    return !vmmPath.isEmpty() && !kernelPath.isEmpty() && !initramfsPath.isEmpty() &&
        (kvmUsable || !wrapperPrefix.isEmpty());
}

EngineLocator::Inputs EngineLocator::defaultInputs()
{
    Inputs inputs;
    inputs.environment = QProcessEnvironment::systemEnvironment();
    inputs.applicationDirectory = QCoreApplication::applicationDirPath();
    inputs.buildDirectory = QStringLiteral(AIRLOCK_BUILD_DIRECTORY);
    inputs.sourceDirectory = QStringLiteral(AIRLOCK_SOURCE_DIRECTORY);
    inputs.configuredKernel = QStringLiteral(AIRLOCK_CONFIGURED_KERNEL);
    QString cacheRoot = inputs.environment.value(QStringLiteral("AIRLOCK_CACHE_DIR"));
    if (cacheRoot.isEmpty())
        cacheRoot = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation) +
            QStringLiteral("/airlock");
    inputs.kernelCacheDirectory = cacheRoot;
    return inputs;
}

bool EngineLocator::isKvmUsable(const QString& device, QString* why)
{
    int fd = ::open(QFile::encodeName(device).constData(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (why)
            *why = QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    ::close(fd);
    return true;
}

EngineLocation EngineLocator::locate(const Inputs& inputs)
{
    const QString app = inputs.applicationDirectory;
    const QString build = inputs.buildDirectory;
    auto fromEnvironment = [&](const char* name) {
        return inputs.environment.value(QString::fromLatin1(name));
    };
    EngineLocation location;
    location.vmmPath =
        firstOf({fromEnvironment("AIRLOCK_VMM"), app + QStringLiteral("/airlock-vmm"),
                    app + QStringLiteral("/../libexec/airlock/airlock-vmm"),
                    build.isEmpty() ? QString() : build + QStringLiteral("/vmm/tools/airlock-vmm")},
            isExecutableFile);
    location.kernelPath =
        firstOf({fromEnvironment("AIRLOCK_KERNEL"), app + QStringLiteral("/bzImage"),
                    app + QStringLiteral("/../share/airlock/bzImage"), inputs.configuredKernel,
                    newestCachedKernel(inputs.kernelCacheDirectory)},
            isReadableFile);
    location.initramfsPath =
        firstOf({fromEnvironment("AIRLOCK_INITRAMFS"), app + QStringLiteral("/initramfs.cpio"),
                    app + QStringLiteral("/../share/airlock/initramfs.cpio"),
                    build.isEmpty() ? QString() : build + QStringLiteral("/guest/initramfs.cpio")},
            isReadableFile);

    QString kvmProblem;
    location.kvmUsable = isKvmUsable(inputs.kvmDevice, &kvmProblem);
    QString lab = inputs.sourceDirectory.isEmpty()
        ? QString()
        : inputs.sourceDirectory + QStringLiteral("/tests/lab/run");
    if (!location.kvmUsable && isExecutableFile(lab)) {
        location.wrapperPrefix = QStringList {lab};
        location.throughLab = true;
        // The control channel crosses into the lab through airlock-relay, built with airlock-vmm.
        if (!location.vmmPath.isEmpty())
            location.relayPath = firstOf(
                {QFileInfo(location.vmmPath).absolutePath() + QStringLiteral("/airlock-relay")},
                isExecutableFile);
    }

    // AIRLOCK_ENGINE_WRAPPER (when set, even empty) replaces what runs before airlock-vmm, as
    // for airlockctl: "" runs it directly, whatever /dev/kvm says.
    const QString wrapperVariable = QStringLiteral("AIRLOCK_ENGINE_WRAPPER");
    const bool wrapperGiven = inputs.environment.contains(wrapperVariable);
    if (wrapperGiven) {
        location.wrapperPrefix =
            inputs.environment.value(wrapperVariable).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        location.throughLab = false; // the lab comes only from the locator
        location.relayPath.clear();
        location.kvmUsable = location.kvmUsable || location.wrapperPrefix.isEmpty();
    }

    QStringList missing;
    if (location.vmmPath.isEmpty())
        missing << tr("the engine (set AIRLOCK_VMM)");
    if (location.kernelPath.isEmpty())
        missing << tr(
            "the guest kernel (set AIRLOCK_KERNEL or run packaging/guest/build-kernel.sh)");
    if (location.initramfsPath.isEmpty())
        missing << tr("the guest initramfs (set AIRLOCK_INITRAMFS or build airlock-initramfs)");
    if (!missing.isEmpty())
        location.statusMessage =
            tr("Sessions cannot start: Airlock cannot find %1.").arg(missing.join(tr(", ")));
    else if (wrapperGiven && !location.wrapperPrefix.isEmpty())
        location.statusMessage = tr("Sessions run through %1 (set by AIRLOCK_ENGINE_WRAPPER; "
                                    "unset it to use this computer's KVM or the KVM lab).")
                                     .arg(location.wrapperPrefix.join(QLatin1Char(' ')));
    else if (location.kvmUsable)
        location.statusMessage = tr("Sessions run on this computer's KVM.");
    else if (location.throughLab && location.relayPath.isEmpty())
        location.statusMessage =
            tr("KVM is not available here (%1: %2), so sessions run in the KVM lab, an emulated "
               "KVM host, but its control relay is missing: build airlock-relay next to %3.")
                .arg(inputs.kvmDevice, kvmProblem, location.vmmPath);
    else if (!location.wrapperPrefix.isEmpty())
        location.statusMessage =
            tr("KVM is not available here (%1: %2), so sessions run in the "
               "KVM lab, an emulated KVM host; they start and run more slowly.")
                .arg(inputs.kvmDevice, kvmProblem);
    else
        location.statusMessage = tr("Sessions cannot start: KVM is not available (%1: %2) and the "
                                    "KVM lab is not installed. Enable virtualization in the "
                                    "firmware and add yourself to the kvm group.")
                                     .arg(inputs.kvmDevice, kvmProblem);
    return location;
}

EngineLocation EngineLocator::locate()
{
    return locate(defaultInputs());
}

} // namespace app
