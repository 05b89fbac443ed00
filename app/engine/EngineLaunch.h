#pragma once

#include "AppResult.h"

#include <chrono>

#include <QByteArray>
#include <QList>
#include <QProcessEnvironment>
#include <QSize>
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
    /// The session's dataset grant key (DatasetGrant): lets the user add datasets to the running
    /// session. Empty: adding datasets later is off.
    QByteArray datasetGrantKey;
    /// The command run in the guest (empty: an interactive shell).
    QStringList command;
    /// The guest's screen (--display WxH); empty: the session has no display.
    QSize displaySize;
    /// The command runs on the screen's terminal instead of the console (--command-on-display).
    bool commandOnDisplay = false;
    /// Other VNC viewers may connect on 127.0.0.1 with displayPassword (--display-tcp 0: a free
    /// port the engine reports); false: only the app, through the control channel.
    bool displayTcp = false;
    /// The password of those viewers; travels in the environment, never on the command line.
    QByteArray displayPassword;
    /// Run before airlock-vmm (its path and flags follow): a wrapper such as the KVM lab.
    QStringList wrapperPrefix;
    /// The wrapper is the KVM lab (tests/lab/run): the control channel crosses into the emulated
    /// host through the lab's relay (AIRLOCK_LAB_CONTROL_FD), and the lab is sized for the session.
    bool throughLab = false;

    /// The environment variable that carries displayPassword (vmm/runner/Options.cpp).
    static constexpr const char* kDisplayPasswordVariable = "AIRLOCK_DISPLAY_PASSWORD";

    /// Whether the launch can be tried; the error says what to fix.
    Result<void> validate() const;
    /// The program to execute: the wrapper's first word, or airlock-vmm.
    QString program() const;
    /// The program's arguments, with `controlFd` as the control channel.
    QStringList arguments(int controlFd) const;
    /// Whether airlock-vmm runs in the KVM lab: throughLab, or a wrapper that is tests/lab/run.
    bool runsInLab() const;
    /// The program's environment: `base`, plus the dataset grant key when there is one, plus in the lab the control channel's number, the relay
    /// next to airlock-vmm, and the lab's memory, vCPUs and time limit unless `base` sets them.
    QProcessEnvironment environment(int controlFd,
        const QProcessEnvironment& base = QProcessEnvironment::systemEnvironment()) const;
    /// How long airlock-vmm may take to say hello: seconds here, minutes in the lab (it boots an
    /// emulated host first, 30-60 s on an idle machine, more on a busy one).
    std::chrono::milliseconds helloTimeout() const;
};

} // namespace app
