#include "EngineLaunch.h"
#include "DatasetGrant.h"

#include <algorithm>

#include <QCoreApplication>
#include <QFileInfo>
#include <QThread>

namespace app {

namespace {
constexpr int kMaxVcpus = 32;
constexpr int kMinMemoryMiB = 64;

// The lab's emulated host holds the guest's memory, the scratch file (its writes land in the
// lab's tmpfs overlay) and its own kernel, page cache and airlock-vmm: 1 GiB more, 2 GiB at least.
constexpr qint64 kLabOverheadMiB = 1024;
constexpr qint64 kLabMinimumMiB = 2048;
// A session's lab runs as long as the session; the app stops it (deadline, stop, close) before.
constexpr int kLabSessionTimeoutSeconds = 24 * 60 * 60;
constexpr std::chrono::milliseconds kHelloTimeout {15000};
constexpr std::chrono::milliseconds kLabHelloTimeout {300000};

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
    if (commandOnDisplay && displaySize.isEmpty())
        return failure(tr("The command cannot run on the screen of a session without one; give "
                          "the session a screen size."));
    if (displayTcp && (displaySize.isEmpty() || displayPassword.isEmpty()))
        return failure(tr("Other viewers need a screen and a password; this is a bug in Airlock."));
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
    if (!displaySize.isEmpty()) {
        arguments << QStringLiteral("--display")
                  << QStringLiteral("%1x%2").arg(displaySize.width()).arg(displaySize.height());
        if (commandOnDisplay)
            arguments << QStringLiteral("--command-on-display");
        if (displayTcp)
            arguments << QStringLiteral("--display-tcp") << QStringLiteral("0");
    }
    arguments << QStringLiteral("--control-fd") << QString::number(controlFd);
    if (!command.isEmpty())
        arguments << QStringLiteral("--") << command;
    return arguments;
}

bool EngineLaunch::runsInLab() const
{
    return throughLab ||
        (!wrapperPrefix.isEmpty() &&
            QFileInfo(wrapperPrefix.first()).filePath().endsWith(QStringLiteral("tests/lab/run")));
}

QProcessEnvironment EngineLaunch::environment(int controlFd, const QProcessEnvironment& base) const
{
    QProcessEnvironment environment = base;
    // The key travels in the environment, never on the command line (which `ps` shows);
    // airlock-vmm removes it from its environment at once.
    if (!datasetGrantKey.isEmpty())
        environment.insert(QString::fromLatin1(DatasetGrant::kKeyVariable),
            QString::fromLatin1(datasetGrantKey.toHex()));
    else
        environment.remove(QString::fromLatin1(DatasetGrant::kKeyVariable));
    if (displayTcp && !displayPassword.isEmpty())
        environment.insert(QString::fromLatin1(kDisplayPasswordVariable),
            QString::fromLatin1(displayPassword));
    else
        environment.remove(QString::fromLatin1(kDisplayPasswordVariable));
    if (!runsInLab())
        return environment;
    auto setUnlessGiven = [&environment](const char* name, const QString& value) {
        QString key = QString::fromLatin1(name);
        if (!environment.contains(key))
            environment.insert(key, value);
    };
    environment.insert(QStringLiteral("AIRLOCK_LAB_CONTROL_FD"), QString::number(controlFd));
    setUnlessGiven(
        "AIRLOCK_LAB_RELAY", QFileInfo(vmmPath).absolutePath() + QStringLiteral("/airlock-relay"));
    qint64 labMiB = std::max(
        kLabMinimumMiB, qint64 {memoryMiB} + std::max(scratchMiB, qint64 {0}) + kLabOverheadMiB);
    setUnlessGiven("AIRLOCK_LAB_MEMORY", QStringLiteral("%1M").arg(labMiB));
    // More emulated CPUs than this machine has only slow the emulation down.
    int labCpus = std::clamp(vcpus, 2, std::max(2, QThread::idealThreadCount()));
    setUnlessGiven("AIRLOCK_LAB_CPUS", QString::number(labCpus));
    setUnlessGiven("AIRLOCK_LAB_TIMEOUT", QString::number(kLabSessionTimeoutSeconds));
    return environment;
}

std::chrono::milliseconds EngineLaunch::helloTimeout() const
{
    return runsInLab() ? kLabHelloTimeout : kHelloTimeout;
}

} // namespace app
