#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace app {

/// Where the engine's parts are on this machine and how sessions will run.
struct EngineLocation {
    /// airlock-vmm, the guest kernel and initramfs ("" when not found).
    QString vmmPath;
    QString kernelPath;
    QString initramfsPath;
    /// Whether /dev/kvm opens for reading and writing.
    bool kvmUsable = false;
    /// What runs before airlock-vmm (the KVM lab when KVM is not usable; empty otherwise).
    QStringList wrapperPrefix;
    /// Sessions run in the KVM lab (copy it to EngineLaunch::throughLab with wrapperPrefix).
    bool throughLab = false;
    /// The lab's control relay, next to airlock-vmm ("" when not found or not needed).
    QString relayPath;
    /// One plain sentence for the status bar: how sessions run, or why they cannot.
    QString statusMessage;

    /// Whether a session can be started.
    bool canStartSessions() const;
};

/// Finds the engine: the environment (AIRLOCK_VMM, AIRLOCK_KERNEL, AIRLOCK_INITRAMFS) first,
/// then next to the executable and its ../libexec/airlock and ../share/airlock, then the build
/// tree this app was built in. Checks /dev/kvm; without it sessions run through the KVM lab
/// (tests/lab/run: an emulated KVM host) when the lab is there. AIRLOCK_ENGINE_WRAPPER, when set
/// (even empty), replaces what runs before airlock-vmm: "" runs it directly.
class EngineLocator {
public:
    /// What the search looks at; defaultInputs() describes this process and machine.
    struct Inputs {
        QProcessEnvironment environment;
        QString applicationDirectory;
        QString kvmDevice = QStringLiteral("/dev/kvm");
        /// The build tree and source tree this app came from ("" when installed).
        QString buildDirectory;
        QString sourceDirectory;
        /// A kernel named at configure time (AIRLOCK_GUEST_KERNEL) and the kernel cache
        /// (packaging/guest/build-kernel.sh's kernel-*/bzImage).
        QString configuredKernel;
        QString kernelCacheDirectory;
    };

    /// The inputs for this process.
    static Inputs defaultInputs();
    /// Looks everything up (file checks only; fast).
    static EngineLocation locate(const Inputs& inputs);
    /// Locates with defaultInputs().
    static EngineLocation locate();
    /// Whether `device` opens read-write (as airlock-vmm needs it); `why` gets the reason if not.
    static bool isKvmUsable(const QString& device, QString* why = nullptr);
};

} // namespace app
