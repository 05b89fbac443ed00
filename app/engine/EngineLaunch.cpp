#include "EngineLaunch.h"

#include <QCoreApplication>

namespace app {

namespace {
constexpr int kMaxVcpus = 32;
constexpr int kMinMemoryMiB = 64;

QString tr(const char* text)
{
    return QCoreApplication::translate("app::EngineLaunch", text);
}
} // namespace

Result<void> EngineLaunch::validate() const
{
    if (vmmPath.isEmpty())
        return failure(tr("Airlock cannot find its engine (airlock-vmm). Set AIRLOCK_VMM to its "
                          "path or reinstall Airlock."));
    if (kernelPath.isEmpty())
        return failure(tr("Airlock cannot find the guest kernel. Set AIRLOCK_KERNEL to a bzImage "
                          "(packaging/guest/build-kernel.sh builds one)."));
    if (vcpus < 1 || vcpus > kMaxVcpus)
        return failure(tr("A session needs between 1 and %1 vCPUs; choose a number in that range.")
                           .arg(kMaxVcpus));
    if (memoryMiB < kMinMemoryMiB)
        return failure(
            tr("A session needs at least %1 MiB of memory; choose more.").arg(kMinMemoryMiB));
    if (scratchMiB < 0)
        return failure(tr("The scratch disk size cannot be negative."));
    if (scratchMiB > 0 && sessionDirectory.isEmpty())
        return failure(tr("A scratch disk needs a session directory for its encrypted file."));
    for (const DatasetMount& dataset : datasets) {
        if (dataset.name.isEmpty() || dataset.name.contains(QLatin1Char('=')) ||
            dataset.name.contains(QLatin1Char('/')))
            return failure(tr("The dataset name '%1' cannot be used: give it a name without '=' "
                              "or '/'.")
                               .arg(dataset.name));
        if (dataset.hostPath.isEmpty())
            return failure(tr("The dataset '%1' has no folder or file.").arg(dataset.name));
    }
    return {};
}

QString EngineLaunch::program() const
{
    return wrapperPrefix.isEmpty() ? vmmPath : wrapperPrefix.first();
}

QStringList EngineLaunch::arguments(int controlFd) const
{
    QStringList arguments = wrapperPrefix.mid(1);
    if (!wrapperPrefix.isEmpty())
        arguments << vmmPath;
    arguments << QStringLiteral("--kernel") << kernelPath;
    if (!initramfsPath.isEmpty())
        arguments << QStringLiteral("--initramfs") << initramfsPath;
    arguments << QStringLiteral("--cpus") << QString::number(vcpus);
    arguments << QStringLiteral("--memory") << QStringLiteral("%1M").arg(memoryMiB);
    for (const DatasetMount& dataset : datasets)
        arguments << QStringLiteral("--dataset")
                  << dataset.name + QLatin1Char('=') + dataset.hostPath;
    if (scratchMiB > 0)
        arguments << QStringLiteral("--scratch") << QStringLiteral("%1M").arg(scratchMiB);
    if (!sessionDirectory.isEmpty())
        arguments << QStringLiteral("--session-dir") << sessionDirectory;
    if (!shredReportPath.isEmpty())
        arguments << QStringLiteral("--shred-report") << shredReportPath;
    arguments << QStringLiteral("--control-fd") << QString::number(controlFd);
    if (!command.isEmpty())
        arguments << QStringLiteral("--") << command;
    return arguments;
}

} // namespace app
