// The CPUID each vCPU sees, derived from a synthetic KVM_GET_SUPPORTED_CPUID table. Wrong APIC IDs
// or topology make Linux bring up fewer CPUs than asked for, or hang waiting for one.

#include "arch/x86_64/Cpuid.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include <QTest>

using namespace vmm::x86_64;

namespace {

constexpr uint32_t kHttBit = 1u << 28;

kvm_cpuid_entry2 leaf(
    uint32_t function, uint32_t index, uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx)
{
    kvm_cpuid_entry2 entry {};
    entry.function = function;
    entry.index = index;
    entry.eax = eax;
    entry.ebx = ebx;
    entry.ecx = ecx;
    entry.edx = edx;
    return entry;
}

// What KVM might report on an Intel or AMD host; the values to be rewritten are deliberately off.
std::vector<kvm_cpuid_entry2> supportedTable(bool amd)
{
    std::vector<kvm_cpuid_entry2> table;
    if (amd)
        table.push_back(leaf(0, 0, 0x10, 0x68747541, 0x444d4163, 0x69746e65)); // "AuthenticAMD"
    else
        table.push_back(leaf(0, 0, 0x1f, 0x756e6547, 0x6c65746e, 0x49656e69)); // "GenuineIntel"
    // Leaf 1 EBX: APIC ID 0xff, 0x3f logical CPUs, CLFLUSH 16 quadwords, brand index 5.
    table.push_back(leaf(1, 0, 0x000906ea, 0xff3f1005, 0x00008201, 0x0f8bfbff | kHttBit));
    for (uint32_t i = 0; i < 4; ++i)
        table.push_back(leaf(4, i, 0xfc004121 + (i << 5), 0x01c0003f, 0x3f, 0));
    table.push_back(leaf(6, 0, 0x4, 0, 0x9, 0));
    table.push_back(leaf(7, 0, 0, 0x029c6fbf, 0x40000000, 0xbc000400));
    table.push_back(leaf(0xa, 0, 0x07300805, 0x7f, 0, 0x603));
    for (uint32_t function : {0xbu, 0x1fu}) {
        for (uint32_t i = 0; i < 3; ++i)
            table.push_back(leaf(function, i, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff));
    }
    table.push_back(leaf(0x80000001, 0, 0, 0, 0x00400121, 0x2c100800));
    table.push_back(leaf(0x80000008, 0, 0x3030, 0, 0x0000f03f, 0));
    return table;
}

const kvm_cpuid_entry2* find(
    const std::vector<kvm_cpuid_entry2>& entries, uint32_t function, uint32_t index = 0)
{
    auto entry =
        std::find_if(entries.begin(), entries.end(), [&](const kvm_cpuid_entry2& candidate) {
            return candidate.function == function && candidate.index == index;
        });
    return entry == entries.end() ? nullptr : &*entry;
}

} // namespace

class CpuidTest : public QObject {
    Q_OBJECT

private slots:
    void leafOneCarriesEachVcpusApicId_data()
    {
        QTest::addColumn<quint32>("vcpuIndex");
        QTest::addColumn<quint32>("vcpuCount");
        QTest::newRow("single vCPU") << 0u << 1u;
        QTest::newRow("second of two") << 1u << 2u;
        QTest::newRow("fifth of eight") << 4u << 8u;
        QTest::newRow("last of 32") << 31u << 32u;
    }
    void leafOneCarriesEachVcpusApicId()
    {
        QFETCH(quint32, vcpuIndex);
        QFETCH(quint32, vcpuCount);
        auto entries = guestCpuid(supportedTable(false), vcpuIndex, vcpuCount);
        const kvm_cpuid_entry2* features = find(entries, 1);
        QVERIFY(features);
        QCOMPARE(features->ebx >> 24, vcpuIndex); // initial APIC ID
        QCOMPARE((features->ebx >> 16) & 0xff, vcpuCount); // logical processors per package
        QCOMPARE((features->ebx >> 8) & 0xff, 8u); // CLFLUSH line size in quadwords
        QCOMPARE(features->ebx & 0xff, 5u); // brand index kept
        QCOMPARE(features->eax, 0x000906eau); // family/model/stepping kept
    }

    void leafOneAnnouncesTheHypervisorAndHidesPdcm()
    {
        auto entries = guestCpuid(supportedTable(false), 0, 1);
        const kvm_cpuid_entry2* features = find(entries, 1);
        QVERIFY(features);
        QVERIFY2(features->ecx & kCpuidHypervisorBit,
            "hypervisor bit clear: the guest thinks it runs on hardware");
        QVERIFY2(features->ecx & kCpuidTscDeadlineBit, "TSC-deadline timer not offered");
        QVERIFY2(!(features->ecx & kCpuidPdcmBit), "PDCM offered: KVM does not emulate it");
        QCOMPARE(features->ecx & 0x201u, 0x201u); // other feature bits kept
    }

    void httOnlyWithMoreThanOneVcpu_data()
    {
        QTest::addColumn<quint32>("vcpuCount");
        QTest::addColumn<bool>("htt");
        QTest::newRow("1 vCPU") << 1u << false;
        QTest::newRow("2 vCPUs") << 2u << true;
        QTest::newRow("32 vCPUs") << 32u << true;
    }
    void httOnlyWithMoreThanOneVcpu()
    {
        QFETCH(quint32, vcpuCount);
        QFETCH(bool, htt);
        for (bool hostHtt : {false, true}) {
            auto table = supportedTable(false);
            for (auto& entry : table) {
                if (entry.function == 1)
                    entry.edx = hostHtt ? entry.edx | kHttBit : entry.edx & ~kHttBit;
            }
            auto entries = guestCpuid(table, 0, vcpuCount);
            const kvm_cpuid_entry2* features = find(entries, 1);
            QVERIFY(features);
            QCOMPARE(bool(features->edx & kHttBit), htt);
            QCOMPARE(features->edx & ~kHttBit, 0x0f8bfbffu);
        }
    }

    void topologyLeavesDescribeOnePackage_data()
    {
        QTest::addColumn<quint32>("function");
        QTest::addColumn<quint32>("vcpuIndex");
        QTest::addColumn<quint32>("vcpuCount");
        QTest::addColumn<quint32>("coreShift"); // bits of the APIC ID that number the cores
        for (quint32 function : {0xbu, 0x1fu}) {
            QTest::addRow("leaf %#x, 1 vCPU", function) << function << 0u << 1u << 0u;
            QTest::addRow("leaf %#x, 2 of 2", function) << function << 1u << 2u << 1u;
            QTest::addRow("leaf %#x, 3 of 4", function) << function << 2u << 4u << 2u;
            QTest::addRow("leaf %#x, 5 of 5", function) << function << 4u << 5u << 3u;
            QTest::addRow("leaf %#x, 32 of 32", function) << function << 31u << 32u << 5u;
        }
    }
    void topologyLeavesDescribeOnePackage()
    {
        QFETCH(quint32, function);
        QFETCH(quint32, vcpuIndex);
        QFETCH(quint32, vcpuCount);
        QFETCH(quint32, coreShift);
        auto entries = guestCpuid(supportedTable(false), vcpuIndex, vcpuCount);

        const kvm_cpuid_entry2* smt = find(entries, function, 0);
        QVERIFY(smt);
        QCOMPARE(smt->eax, 0u); // one thread per core
        QCOMPARE(smt->ebx, 1u);
        QCOMPARE(smt->ecx, (1u << 8) | 0u); // level type SMT
        QCOMPARE(smt->edx, vcpuIndex); // x2APIC ID

        const kvm_cpuid_entry2* core = find(entries, function, 1);
        QVERIFY(core);
        QCOMPARE(core->eax, coreShift);
        QCOMPARE(core->ebx, vcpuCount);
        QCOMPARE(core->ecx, (2u << 8) | 1u); // level type core
        QCOMPARE(core->edx, vcpuIndex);

        const kvm_cpuid_entry2* end = find(entries, function, 2);
        QVERIFY(end);
        QCOMPARE(end->eax, 0u);
        QCOMPARE(end->ebx, 0u);
        QCOMPARE(end->ecx, 2u); // level type 0: no more levels
        QCOMPARE(end->edx, vcpuIndex);
    }

    void cacheLeafCountsTheCoresOfThePackage_data()
    {
        QTest::addColumn<quint32>("vcpuCount");
        QTest::newRow("1") << 1u;
        QTest::newRow("4") << 4u;
        QTest::newRow("32") << 32u;
    }
    void cacheLeafCountsTheCoresOfThePackage()
    {
        QFETCH(quint32, vcpuCount);
        auto entries = guestCpuid(supportedTable(false), 0, vcpuCount);
        for (uint32_t i = 0; i < 4; ++i) {
            const kvm_cpuid_entry2* cache = find(entries, 4, i);
            QVERIFY(cache);
            QCOMPARE(cache->eax >> 26, vcpuCount - 1);
            QCOMPARE(cache->eax & 0x03ffffffu, (0xfc004121u + (i << 5)) & 0x03ffffffu);
        }
    }

    void performanceMonitoringLeafIsZeroed()
    {
        auto entries = guestCpuid(supportedTable(false), 0, 2);
        const kvm_cpuid_entry2* perfmon = find(entries, 0xa);
        QVERIFY(perfmon);
        QCOMPARE(perfmon->eax, 0u);
        QCOMPARE(perfmon->ebx, 0u);
        QCOMPARE(perfmon->ecx, 0u);
        QCOMPARE(perfmon->edx, 0u);
    }

    void energyPerformanceBiasIsHidden()
    {
        auto entries = guestCpuid(supportedTable(false), 0, 1);
        const kvm_cpuid_entry2* power = find(entries, 6);
        QVERIFY(power);
        QCOMPARE(power->ecx, 0x1u);
        QCOMPARE(power->eax, 0x4u);
    }

    void amdRewritesOnlyOnAnAmdHost_data()
    {
        QTest::addColumn<bool>("amd");
        QTest::addColumn<quint32>("vcpuCount");
        QTest::newRow("Intel, 4 vCPUs") << false << 4u;
        QTest::newRow("AMD, 1 vCPU") << true << 1u;
        QTest::newRow("AMD, 4 vCPUs") << true << 4u;
        QTest::newRow("AMD, 32 vCPUs") << true << 32u;
    }
    void amdRewritesOnlyOnAnAmdHost()
    {
        QFETCH(bool, amd);
        QFETCH(quint32, vcpuCount);
        auto entries = guestCpuid(supportedTable(amd), 0, vcpuCount);
        const kvm_cpuid_entry2* extended = find(entries, 0x80000001);
        const kvm_cpuid_entry2* addressSizes = find(entries, 0x80000008);
        QVERIFY(extended && addressSizes);
        if (amd) {
            QCOMPARE(extended->ecx, 0x00000121u); // topology extensions hidden
            QCOMPARE(addressSizes->ecx, 0x0000f000u | (vcpuCount - 1)); // cores per package - 1
        } else {
            QCOMPARE(extended->ecx, 0x00400121u);
            QCOMPARE(addressSizes->ecx, 0x0000f03fu);
        }
        QCOMPARE(extended->edx, 0x2c100800u);
        QCOMPARE(addressSizes->eax, 0x3030u);
    }

    void otherLeavesPassThroughUnchanged()
    {
        for (bool amd : {false, true}) {
            std::vector<kvm_cpuid_entry2> supported = supportedTable(amd);
            auto entries = guestCpuid(supported, 1, 2);
            QCOMPARE(entries.size(), supported.size());
            for (uint32_t function : {0u, 7u}) {
                const kvm_cpuid_entry2* before = find(supported, function);
                const kvm_cpuid_entry2* after = find(entries, function);
                QVERIFY(before && after);
                QVERIFY2(std::memcmp(before, after, sizeof *before) == 0,
                    "an unrelated leaf was changed");
            }
        }
    }
};

QTEST_APPLESS_MAIN(CpuidTest)
#include "tst_cpuid.moc"
