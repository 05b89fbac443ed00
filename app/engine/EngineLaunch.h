#pragma once

#include "AppResult.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace app {

/// A host folder or file shown to the guest read-only at /datasets/<name>.
struct DatasetMount {
    QString name;
    QString hostPath;
};

/// Everything needed to start one session's airlock-vmm (vmm/runner/Options.cpp's flags).
struct EngineLaunch {
    /// The airlock-vmm executable.
    QString vmmPath;
    /// The guest kernel (bzImage) and initramfs.
    QString kernelPath;
    QString initramfsPath;
    /// vCPUs (1..32) and guest memory in MiB.
    int vcpus = 1;
    int memoryMiB = 512;
    /// Datasets, each a --dataset NAME=PATH.
    QList<DatasetMount> datasets;
    /// The encrypted scratch disk's size in MiB (0: none).
    qint64 scratchMiB = 0;
    /// The session's runtime directory (scratch file, vsock socket); shredded at the end.
    QString sessionDirectory;
    /// Where airlock-vmm also writes its shred report ("" : only over the control channel).
    QString shredReportPath;
    /// The command run in the guest (empty: an interactive shell).
    QStringList command;
    /// Run before airlock-vmm (its path and flags follow): a wrapper such as the KVM lab.
    QStringList wrapperPrefix;

    /// Whether the launch can be tried; the error says what to fix.
    Result<void> validate() const;
    /// The program to execute: the wrapper's first word, or airlock-vmm.
    QString program() const;
    /// The program's arguments, with `controlFd` as the control channel.
    QStringList arguments(int controlFd) const;
};

} // namespace app
