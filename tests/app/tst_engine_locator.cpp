// EngineLocator: the environment wins, then the files next to the app, then the build tree; a
// machine without usable /dev/kvm runs sessions through the KVM lab and says so plainly, and a
// missing part is named with what to do. AIRLOCK_ENGINE_WRAPPER replaces the lab (or adds a
// wrapper) for the app as it does for airlockctl.

#include "EngineLocator.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {
QString makeFile(const QString& path, bool executable)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write("#!/bin/sh\n");
    file.close();
    if (executable)
        file.setPermissions(file.permissions() | QFileDevice::ExeOwner);
    return QFileInfo(path).absoluteFilePath();
}
} // namespace

class EngineLocatorTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_root;

    app::EngineLocator::Inputs inputs(const QString& kvmDevice)
    {
        app::EngineLocator::Inputs inputs;
        inputs.applicationDirectory = m_root.filePath("bin");
        inputs.buildDirectory = m_root.filePath("build");
        inputs.sourceDirectory = m_root.filePath("source");
        inputs.kernelCacheDirectory = m_root.filePath("cache");
        inputs.kvmDevice = kvmDevice;
        return inputs;
    }

private slots:
    void initTestCase()
    {
        makeFile(m_root.filePath("build/vmm/tools/airlock-vmm"), true);
        makeFile(m_root.filePath("build/guest/initramfs.cpio"), false);
        makeFile(m_root.filePath("cache/kernel-0123/bzImage"), false);
        makeFile(m_root.filePath("source/tests/lab/run"), true);
        makeFile(m_root.filePath("kvm"), false); // a "device" that opens read-write
    }

    void theBuildTreeAndTheKernelCacheAreFound()
    {
        app::EngineLocation location = app::EngineLocator::locate(inputs(m_root.filePath("kvm")));
        QCOMPARE(location.vmmPath, m_root.filePath("build/vmm/tools/airlock-vmm"));
        QCOMPARE(location.initramfsPath, m_root.filePath("build/guest/initramfs.cpio"));
        QCOMPARE(location.kernelPath, m_root.filePath("cache/kernel-0123/bzImage"));
        QVERIFY(location.kvmUsable);
        QVERIFY(location.wrapperPrefix.isEmpty());
        QVERIFY(location.canStartSessions());
        QVERIFY(location.statusMessage.contains("KVM"));
    }

    void theEnvironmentWins()
    {
        QString vmm = makeFile(m_root.filePath("elsewhere/my-vmm"), true);
        QString kernel = makeFile(m_root.filePath("elsewhere/vmlinuz"), false);
        app::EngineLocator::Inputs given = inputs(m_root.filePath("kvm"));
        given.environment.insert("AIRLOCK_VMM", vmm);
        given.environment.insert("AIRLOCK_KERNEL", kernel);
        app::EngineLocation location = app::EngineLocator::locate(given);
        QCOMPARE(location.vmmPath, vmm);
        QCOMPARE(location.kernelPath, kernel);
    }

    void withoutKvmSessionsRunInTheLabAndTheAppSaysSo()
    {
        app::EngineLocation location =
            app::EngineLocator::locate(inputs(m_root.filePath("no-such-kvm")));
        QVERIFY(!location.kvmUsable);
        QCOMPARE(location.wrapperPrefix, QStringList {m_root.filePath("source/tests/lab/run")});
        QVERIFY(location.canStartSessions());
        QVERIFY2(location.statusMessage.contains("KVM lab"), qPrintable(location.statusMessage));
    }

    void withoutKvmOrLabNothingCanStartAndTheMessageSaysWhy()
    {
        app::EngineLocator::Inputs given = inputs(m_root.filePath("no-such-kvm"));
        given.sourceDirectory.clear();
        app::EngineLocation location = app::EngineLocator::locate(given);
        QVERIFY(!location.canStartSessions());
        QVERIFY(location.statusMessage.contains("cannot start"));
        QVERIFY(location.statusMessage.contains("kvm group"));
    }

    void aMissingPartIsNamed()
    {
        app::EngineLocator::Inputs given = inputs(m_root.filePath("kvm"));
        given.kernelCacheDirectory = m_root.filePath("empty-cache");
        app::EngineLocation location = app::EngineLocator::locate(given);
        QVERIFY(location.kernelPath.isEmpty());
        QVERIFY(!location.canStartSessions());
        QVERIFY2(
            location.statusMessage.contains("AIRLOCK_KERNEL"), qPrintable(location.statusMessage));
    }

    void anEmptyEngineWrapperRunsTheEngineDirectlyInsteadOfTheLab()
    {
        app::EngineLocator::Inputs given = inputs(m_root.filePath("no-such-kvm"));
        given.environment.insert("AIRLOCK_ENGINE_WRAPPER", "");
        app::EngineLocation location = app::EngineLocator::locate(given);
        QVERIFY(location.wrapperPrefix.isEmpty());
        QVERIFY(!location.throughLab);
        QVERIFY(location.relayPath.isEmpty());
        QVERIFY2(location.canStartSessions(), qPrintable(location.statusMessage));
    }

    void anEngineWrapperRunsBeforeTheEngineAndTheAppSaysSo()
    {
        app::EngineLocator::Inputs given = inputs(m_root.filePath("kvm"));
        given.environment.insert("AIRLOCK_ENGINE_WRAPPER", "/usr/bin/env  AIRLOCK_TRACE=1");
        app::EngineLocation location = app::EngineLocator::locate(given);
        QCOMPARE(location.wrapperPrefix,
            (QStringList {QStringLiteral("/usr/bin/env"), QStringLiteral("AIRLOCK_TRACE=1")}));
        QVERIFY(!location.throughLab);
        QVERIFY(location.canStartSessions());
        QVERIFY2(location.statusMessage.contains("AIRLOCK_ENGINE_WRAPPER"),
            qPrintable(location.statusMessage));
    }
};

QTEST_GUILESS_MAIN(EngineLocatorTest)
#include "tst_engine_locator.moc"
