#pragma once

#include "DatasetSource.h"
#include "HostLimits.h"

#include <QList>
#include <QSize>
#include <QString>
#include <QStringList>

namespace app {

/// A field of SessionRequest, for pointing a problem at the widget that can fix it.
enum class SessionField {
    Name,
    Purpose,
    Command,
    Vcpus,
    Memory,
    Lifetime,
    Scratch,
    Datasets,
    Display
};

/// Where the session's command runs and which view the session window opens on.
enum class MainView {
    Console, ///< the serial console (text; the display still exists)
    Display, ///< the screen: the command runs on the guest's framebuffer terminal
};

/// One thing wrong with a SessionRequest, said to the user: what is wrong and what to do.
struct FieldProblem {
    /// The field to fix.
    SessionField field;
    /// A user-facing sentence.
    QString message;
};

/// What the user asks for when starting a session (DESIGN.md; issue 4, "Start a session").
struct SessionRequest {
    /// Shortest purpose of use accepted, after trimming: a few words, not "x".
    static constexpr int kMinimumPurposeLength = 10;
    /// Longest purpose of use: it is one audit-trail field, not a document.
    static constexpr int kMaximumPurposeLength = 2000;
    /// Longest session name.
    static constexpr int kMaximumNameLength = 100;
    /// The kernel hands init at most this many arguments (vmm/boot/KernelCommandLine.cpp).
    static constexpr int kMaximumCommandArguments = 30;
    /// The command's share of the guest kernel's 2,048-byte command line; the rest holds the
    /// engine's own parameters and dataset names.
    static constexpr int kMaximumCommandBytes = 1024;
    /// Smallest guest memory that boots the guest kernel with room for a tool or two.
    static constexpr int kMinimumMemoryMiB = 256;
    /// Shortest maximum lifetime: less is more likely a typo than a plan.
    static constexpr int kMinimumLifetimeMinutes = 5;
    /// Longest maximum lifetime: one week. There is no "no limit": the lifetime is what
    /// guarantees a forgotten session is still shredded, so it is always set.
    static constexpr int kMaximumLifetimeMinutes = 7 * 24 * 60;
    /// Smallest scratch disk (/work and /outbox).
    static constexpr int kMinimumScratchMiB = 256;
    /// Largest scratch disk: 1 TiB. The file is sparse, so only what the guest writes is used.
    static constexpr int kMaximumScratchMiB = 1024 * 1024;
    /// The engine mounts at most this many datasets (vmm/guest/StoragePlan.h).
    static constexpr int kMaximumDatasets = 1000;
    /// The screen sizes the engine accepts (vmm/display/FramebufferGeometry.h).
    static constexpr int kMinimumDisplayWidth = 320;
    static constexpr int kMinimumDisplayHeight = 200;
    static constexpr int kMaximumDisplayWidth = 7680;
    static constexpr int kMaximumDisplayHeight = 4320;

    /// Shown in the session list and window title.
    QString name;
    /// Why the session is run; recorded in the audit trail. Required.
    QString purpose;
    /// argv of the command the guest runs; empty: an interactive shell (/bin/sh) on the console.
    QStringList command;
    /// Virtual CPUs, 1 to HostLimits::maximumVcpus.
    int vcpus = 2;
    /// Guest memory in MiB, kMinimumMemoryMiB to HostLimits::maximumMemoryMiB.
    int memoryMiB = 2048;
    /// The session is closed and shredded after this many minutes. Default: 8 hours.
    int lifetimeMinutes = 8 * 60;
    /// Read-only datasets, mounted at /datasets/<name>.
    QList<DatasetSource> datasets;
    /// Size of the encrypted scratch disk in MiB. Default: 4 GiB.
    int scratchMiB = 4 * 1024;
    /// Which view the session opens on, and where its command runs.
    MainView mainView = MainView::Console;
    /// The guest's screen in pixels (vmm/display/FramebufferGeometry.h bounds it).
    QSize displaySize {1280, 800};
    /// Other VNC viewers on this computer may connect: 127.0.0.1 only, with a password made for
    /// the session. Off by default: the app's own view needs no port.
    bool allowExternalViewers = false;

    /// Everything wrong with this request on a computer with `limits`, in field order; empty when
    /// the session can start.
    QList<FieldProblem> validate(const HostLimits& limits) const;
};

} // namespace app
