// The pure parts of the guest's storage and metrics (vmm/guest): which disk is which dataset,
// the names the host passes on the kernel command line (base64url), what names are refused,
// the parsing of /proc for the metrics the host graphs, and the wait for a disk the host attached
// while the session runs.

#include "guest/Base64Url.h"
#include "guest/DatasetMount.h"
#include "guest/MetricsSampler.h"
#include "guest/StorageMounts.h"
#include "guest/StoragePlan.h"

#include <fstream>
#include <thread>

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace vmm::guest;

namespace {

std::string parameter(unsigned index, std::string_view name)
{
    return "airlock.ds" + std::to_string(index) + "=" + Base64Url::encode(name);
}

std::string errorOf(const auto& result)
{
    return result ? std::string("accepted") : result.error().message();
}

} // namespace

class GuestStorageTest : public QObject {
    Q_OBJECT

private slots:
    void base64UrlRoundTripsAnyName()
    {
        for (std::string name :
            {"a", "ab", "abc", "Patient A", "données 2024 – été", "🙂?\x3f>~~~"}) {
            std::string encoded = Base64Url::encode(name);
            QVERIFY(encoded.find_first_of("+/= ") == std::string::npos);
            QCOMPARE(Base64Url::decode(encoded).value_or("<refused>"), name);
        }
        QCOMPARE(Base64Url::encode("Patient A"), std::string("UGF0aWVudCBB"));
        QCOMPARE(Base64Url::encode("?\x3f>"), std::string("Pz8-"));
    }

    void base64UrlRefusesNonCanonicalText()
    {
        QVERIFY(!Base64Url::decode("UGF0aWVudCBB=")); // padding
        QVERIFY(!Base64Url::decode("Pz8+")); // plain base64's alphabet
        QVERIFY(!Base64Url::decode("a")); // impossible length
        QVERIFY(!Base64Url::decode("QR")); // trailing bits set
        QVERIFY(!Base64Url::decode("QQ QQ"));
        QCOMPARE(Base64Url::decode("").value_or("x"), std::string());
    }

    void namesAreReadFromTheCommandLine()
    {
        std::string line = "console=ttyS0 reboot=k " + parameter(0, "Patient A") + " quiet " +
            parameter(1, "Études/cohorte") + " -- sh -c 'echo'";
        // A '/' is refused: the host refuses it too.
        QVERIFY(!StoragePlan::parseNames(line));
        line = "console=ttyS0 " + parameter(0, "Patient A") + " " + parameter(7, "Études 2024") +
            " -- " + parameter(2, "after the separator is the command");
        auto names = StoragePlan::parseNames(line);
        QVERIFY2(names, errorOf(names).c_str());
        QCOMPARE(names->size(), size_t {2});
        QCOMPARE(names->at(0), std::string("Patient A"));
        QCOMPARE(names->at(7), std::string("Études 2024"));
    }

    void badNamesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::newRow("slash") << QByteArray("a/b");
        QTest::newRow("dot") << QByteArray(".");
        QTest::newRow("dotdot") << QByteArray("..");
        QTest::newRow("nul") << QByteArray("a\0b", 3);
        QTest::newRow("newline") << QByteArray("a\nb");
        QTest::newRow("empty") << QByteArray("");
        QTest::newRow("latin-1") << QByteArray("caf\xe9");
        QTest::newRow("too long") << QByteArray(256, 'a');
    }

    void badNamesAreRefused()
    {
        QFETCH(QByteArray, name);
        std::string line = parameter(0, std::string_view(name.constData(), size_t(name.size())));
        QVERIFY2(!StoragePlan::parseNames(line), line.c_str());
    }

    void badParametersAreRefused()
    {
        QVERIFY(!StoragePlan::parseNames("airlock.ds01=" + Base64Url::encode("x")));
        QVERIFY(!StoragePlan::parseNames("airlock.ds-1=" + Base64Url::encode("x")));
        QVERIFY(!StoragePlan::parseNames("airlock.dsX=" + Base64Url::encode("x")));
        QVERIFY(!StoragePlan::parseNames("airlock.ds1000=" + Base64Url::encode("x")));
        QVERIFY(!StoragePlan::parseNames("airlock.ds0=not*base64"));
        QVERIFY(!StoragePlan::parseNames("airlock.ds0"));
        QVERIFY(!StoragePlan::parseNames(parameter(0, "a") + " " + parameter(0, "b")));
        QVERIFY(!StoragePlan::parseNames(parameter(0, "same") + " " + parameter(1, "same")));
        QVERIFY(StoragePlan::validateName("Patient A (2024) – ü"));
    }

    void disksArePairedWithNamesBySerial()
    {
        std::vector<StoragePlan::Disk> disks {{"vda", "airlock-ds1"}, {"vdb", "airlock-scratch"},
            {"vdc", "airlock-ds0"}, {"vdd", "someone-else"}};
        auto plan = StoragePlan::make({{0, "Patient A"}, {1, "Patient B"}}, disks);
        QVERIFY2(plan, errorOf(plan).c_str());
        QCOMPARE(plan->datasets.size(), size_t {2});
        QCOMPARE(plan->datasets[0].name, std::string("Patient A"));
        QCOMPARE(plan->datasets[0].device, std::string("vdc"));
        QCOMPARE(plan->datasets[1].device, std::string("vda"));
        QCOMPARE(plan->scratchDevice.value_or(""), std::string("vdb"));
        // Nothing of Airlock's: nothing to mount (a plain boot).
        auto empty = StoragePlan::make({}, {{"vda", ""}});
        QVERIFY(empty);
        QVERIFY(empty->datasets.empty() && !empty->scratchDevice);
    }

    void aMismatchFailsClosed()
    {
        auto noName = StoragePlan::make({}, {{"vda", "airlock-ds0"}});
        QVERIFY(!noName);
        QVERIFY2(errorOf(noName).find("airlock.ds0") != std::string::npos, errorOf(noName).c_str());
        auto noDisk = StoragePlan::make({{3, "Patient C"}}, {{"vda", "airlock-ds0"}});
        QVERIFY(!noDisk);
        QVERIFY(!StoragePlan::make({}, {{"vda", "airlock-scratch"}, {"vdb", "airlock-scratch"}}));
        QVERIFY(!StoragePlan::make({{0, "a"}}, {{"vda", "airlock-ds0"}, {"vdb", "airlock-ds0"}}));
        QVERIFY(!StoragePlan::make({{0, "a"}}, {{"vda", "airlock-ds00"}}));
    }

    void anAttachedDiskIsFoundOnceItHasASize()
    {
        QTemporaryDir sys;
        QDir root(sys.path());
        for (auto [device, serial] : {std::pair {"vda", "airlock-ds0"},
                 std::pair {"vdc", "airlock-spare1"}, std::pair {"vdb", "airlock-ds1"}}) {
            QVERIFY(root.mkpath(device));
            std::ofstream(root.filePath(QString(device) + "/serial").toStdString()) << serial;
            std::ofstream(root.filePath(QString(device) + "/size").toStdString()) << "0\n";
        }
        std::string base = sys.path().toStdString();
        // The serial is there but the kernel has not read the new capacity yet: it waits.
        std::thread grows([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(150));
            std::ofstream(base + "/vdb/size") << "2048\n";
        });
        auto found =
            DatasetMount::waitForDisk("airlock-ds1", base, std::chrono::milliseconds(2000));
        grows.join();
        QVERIFY2(found, errorOf(found).c_str());
        QCOMPARE(*found, std::string("vdb"));

        // A size that never comes, and a serial nobody has: a bounded wait and a clear error.
        auto empty = DatasetMount::waitForDisk("airlock-ds0", base, std::chrono::milliseconds(100));
        QVERIFY(!empty);
        QCOMPARE(empty.error().errnoValue(), ETIMEDOUT);
        QVERIFY2(errorOf(empty).find("vda") != std::string::npos, errorOf(empty).c_str());
        auto missing =
            DatasetMount::waitForDisk("airlock-ds7", base, std::chrono::milliseconds(100));
        QVERIFY(!missing);
        QCOMPARE(missing.error().errnoValue(), ENOENT);
        QVERIFY2(
            errorOf(missing).find("airlock-ds7") != std::string::npos, errorOf(missing).c_str());
        // A bad name is refused before anything is looked for or mounted.
        auto badName = DatasetMount::mount(1, "../etc", base, std::chrono::milliseconds(100));
        QVERIFY(!badName);
        QCOMPARE(badName.error().errnoValue(), 0);
    }

    void serialsAreReadFromSysfs()
    {
        QTemporaryDir sys;
        QDir root(sys.path());
        for (auto [device, serial] : {std::pair {"vda", std::string("airlock-ds0")},
                 std::pair {"vdb", std::string("airlock-scratch\n")},
                 std::pair {"sda", std::string("not-virtio")}}) {
            QVERIFY(root.mkpath(device));
            std::ofstream(root.filePath(QString(device) + "/serial").toStdString()) << serial;
        }
        auto disks = StoragePlan::scanDisks(sys.path().toStdString());
        QCOMPARE(disks.size(), size_t {2});
        QCOMPARE(disks[0].serial, std::string("airlock-ds0"));
        QCOMPARE(disks[1].serial, std::string("airlock-scratch"));
    }

    void anExtSuperblockIsRecognised()
    {
        std::string superblock(0x3a, '\0');
        QVERIFY(!StorageMounts::isExtSuperblock(superblock)); // a fresh scratch disk: format it
        superblock[0x38] = '\x53';
        superblock[0x39] = '\xef';
        QVERIFY(StorageMounts::isExtSuperblock(superblock));
        QVERIFY(!StorageMounts::isExtSuperblock(superblock.substr(0, 0x39)));
    }

    void mountPathsAreUnescaped()
    {
        QCOMPARE(StorageMounts::unescapeMountPath("/datasets/Patient\\040A"),
            std::string("/datasets/Patient A"));
        QCOMPARE(StorageMounts::unescapeMountPath("/a\\011b\\134c"), std::string("/a\tb\\c"));
        QCOMPARE(StorageMounts::unescapeMountPath("/x\\04"), std::string("/x\\04"));
    }

    void procTextIsParsed()
    {
        auto memory = MetricsSampler::parseMemory(
            "MemTotal:        2000 kB\nMemFree:     100 kB\nMemAvailable:    1500 kB\n");
        QVERIFY(memory);
        QCOMPARE(memory->totalBytes, uint64_t {2000 * 1024});
        QCOMPARE(memory->availableBytes, uint64_t {1500 * 1024});
        QVERIFY(!MetricsSampler::parseMemory("MemTotal: lots kB\n"));

        auto before =
            MetricsSampler::parseCpuTimes("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3\n");
        auto after = MetricsSampler::parseCpuTimes("cpu  200 0 200 1500 100 0 0 0 0 0\n");
        QVERIFY(before && after);
        QCOMPARE(before->total, uint64_t {1000});
        QCOMPARE(before->busy, uint64_t {200});
        QCOMPARE(MetricsSampler::busyPercent(*before, *after), 20.0); // 200 busy of 1000 ticks
        QCOMPARE(MetricsSampler::busyPercent(*after, *before), 0.0);

        auto loads = MetricsSampler::parseLoadAverages("0.52 0.58 0.59 2/381 12345\n");
        QVERIFY(loads);
        QCOMPARE((*loads)[2], 0.59);
        QVERIFY(!MetricsSampler::parseLoadAverages("0.5 nan"));
        QCOMPARE(MetricsSampler::parseUptime("350735.47 234388.90\n").value_or(0), 350735.47);
    }
};

QTEST_GUILESS_MAIN(GuestStorageTest)
#include "tst_guest_storage.moc"
