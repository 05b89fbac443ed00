#pragma once

// What the session and main window tests share: a SessionManager over a fresh audit trail whose
// sessions run the manager tests' fake airlock-vmm (tst_manager_fake_vmm; no KVM), and requests
// for it.

#include "ManagedSession.h"
#include "SessionManager.h"
#include "audit/AuditStore.h"

#include <memory>

#include <QDir>
#include <QTemporaryDir>
#include <QUuid>

/// A manager over an audit trail in `directory`; sessions run the fake airlock-vmm.
inline std::unique_ptr<app::SessionManager> makeFakeManager(const QTemporaryDir& directory)
{
    QString path = directory.filePath(
        QStringLiteral("audit-%1.sqlite").arg(QUuid::createUuid().toString(QUuid::Id128)));
    auto store = app::AuditStore::open(path);
    if (!store)
        return nullptr;
    app::EngineLocation location;
    location.vmmPath = QStringLiteral(AIRLOCK_FAKE_VMM);
    location.kernelPath = QStringLiteral("/nonexistent/bzImage"); // the fake never reads them
    location.initramfsPath = QStringLiteral("/nonexistent/initramfs.cpio");
    location.statusMessage = QStringLiteral("Sessions run through the KVM lab (test).");
    auto manager = app::SessionManager::create(std::move(*store), location);
    return manager ? std::move(*manager) : nullptr;
}

/// A small request named `name` whose fake guest runs until it is stopped.
inline app::SessionRequest runningRequest(const QString& name)
{
    app::SessionRequest request;
    request.name = name;
    request.purpose = QStringLiteral("Readmission review for study 12");
    request.command = {QStringLiteral("sh")};
    request.vcpus = 1;
    request.memoryMiB = app::SessionRequest::kMinimumMemoryMiB;
    request.scratchMiB = app::SessionRequest::kMinimumScratchMiB;
    return request;
}

/// Points XDG_RUNTIME_DIR (where session folders go) into `directory`.
inline bool useRuntimeDirectory(const QTemporaryDir& directory)
{
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(directory.filePath(QStringLiteral("runtime"))));
    return QDir().mkpath(directory.filePath(QStringLiteral("runtime")));
}
