// The CPU state the boot vCPU starts in: the GDT, identity-mapped page tables, registers for the
// 64-bit entry (boot.rst "64-bit Boot Protocol"), the local APIC's legacy pins and the boot MSRs.
// Values that are wrong here make the guest triple-fault on its first instructions.

#include "arch/x86_64/BootCpuState.h"
#include "arch/x86_64/Gdt.h"
#include "arch/x86_64/Layout.h"
#include "arch/x86_64/MpTable.h"
#include "arch/x86_64/Msrs.h"
#include "arch/x86_64/PageTables.h"
#include "memory/GuestMemory.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <QTest>

using namespace vmm;
using namespace vmm::x86_64;

namespace {

constexpr uint64_t MiB = 1ull << 20;
constexpr uint64_t GiB = 1ull << 30;

GuestMemory makeMemory()
{
    auto memory = GuestMemory::create({GuestRegion {GuestAddress(0), 64 * MiB}});
    if (!memory)
        qFatal("%s", memory.error().message().c_str());
    return std::move(memory).value();
}

uint64_t readEntry(const GuestMemory& memory, uint64_t address)
{
    auto entry = memory.readObject<uint64_t>(GuestAddress(address));
    if (!entry)
        qFatal("%s", entry.error().message().c_str());
    return *entry;
}

// Walks the 4-level tables from `cr3` like the MMU does for a 2 MiB page; nothing if not mapped.
std::optional<uint64_t> translate(const GuestMemory& memory, uint64_t cr3, uint64_t virtualAddress)
{
    constexpr uint64_t addressMask = 0x000f'ffff'ffff'f000;
    uint64_t pml4e = readEntry(memory, (cr3 & addressMask) + ((virtualAddress >> 39) & 511) * 8);
    if (!(pml4e & kPagePresent))
        return std::nullopt;
    uint64_t pdpte = readEntry(memory, (pml4e & addressMask) + ((virtualAddress >> 30) & 511) * 8);
    if (!(pdpte & kPagePresent) || (pdpte & kPageSize2MiB))
        return std::nullopt;
    uint64_t pde = readEntry(memory, (pdpte & addressMask) + ((virtualAddress >> 21) & 511) * 8);
    if (!(pde & kPagePresent) || !(pde & kPageSize2MiB))
        return std::nullopt;
    return (pde & 0x000f'ffff'ffe0'0000) | (virtualAddress & (2 * MiB - 1));
}

uint32_t apicRegister(const kvm_lapic_state& state, size_t offset)
{
    uint32_t value = 0;
    std::memcpy(&value, state.regs + offset, sizeof value);
    return value;
}

void setApicRegister(kvm_lapic_state& state, size_t offset, uint32_t value)
{
    std::memcpy(state.regs + offset, &value, sizeof value);
}

struct Range {
    const char* name;
    uint64_t start;
    uint64_t end;
};

} // namespace

class X86BootStateTest : public QObject {
    Q_OBJECT

private slots:
    void bootGdtHasFlatCodeAndDataForTheBootSelectors()
    {
        auto gdt = bootGdt();
        QCOMPARE(gdt[0], uint64_t {0});
        QCOMPARE(gdt[1], uint64_t {0});
        QCOMPARE(gdt[kBootCodeSelector / 8], uint64_t {0x00af9b000000ffff});
        QCOMPARE(gdt[kBootDataSelector / 8], uint64_t {0x00cf93000000ffff});
        QCOMPARE(gdt[kBootTssSelector / 8], uint64_t {0x008f8b000000ffff});
        QCOMPARE(kBootCodeSelector, uint16_t {0x10});
        QCOMPARE(kBootDataSelector, uint16_t {0x18});
    }

    void gdtEntryEncodesBaseLimitAndFlags_data()
    {
        QTest::addColumn<quint16>("flags");
        QTest::addColumn<quint32>("base");
        QTest::addColumn<quint32>("limit");
        QTest::addColumn<quint64>("expected");
        QTest::newRow("code") << quint16 {0xa09b} << quint32 {0} << quint32 {0xfffff}
                              << quint64 {0x00af9b000000ffff};
        QTest::newRow("base and byte limit") << quint16 {0x4092} << quint32 {0x12345678}
                                             << quint32 {0xabcde} << quint64 {0x124a92345678bcde};
        // Bits 8-11 of the flags word are the limit's place in the descriptor: they are dropped.
        QTest::newRow("stray flag bits")
            << quint16 {0xaf9b} << quint32 {0} << quint32 {0xfffff} << quint64 {0x00af9b000000ffff};
    }
    void gdtEntryEncodesBaseLimitAndFlags()
    {
        QFETCH(quint16, flags);
        QFETCH(quint32, base);
        QFETCH(quint32, limit);
        QFETCH(quint64, expected);
        QCOMPARE(gdtEntry(flags, base, limit), expected);
    }

    void segmentFromDescriptorDecodesTheBootSegments()
    {
        auto gdt = bootGdt();
        kvm_segment code = segmentFromDescriptor(gdt[2], kBootCodeSelector);
        QCOMPARE(code.selector, uint16_t {0x10});
        QCOMPARE(code.base, uint64_t {0});
        QCOMPARE(code.limit, uint32_t {0xffffffff});
        QCOMPARE(code.type, uint8_t {0xb}); // execute/read, accessed
        QCOMPARE(code.s, uint8_t {1});
        QCOMPARE(code.dpl, uint8_t {0});
        QCOMPARE(code.present, uint8_t {1});
        QCOMPARE(code.l, uint8_t {1});
        QCOMPARE(code.db, uint8_t {0});
        QCOMPARE(code.g, uint8_t {1});
        QCOMPARE(code.unusable, uint8_t {0});

        kvm_segment data = segmentFromDescriptor(gdt[3], kBootDataSelector);
        QCOMPARE(data.selector, uint16_t {0x18});
        QCOMPARE(data.limit, uint32_t {0xffffffff});
        QCOMPARE(data.type, uint8_t {0x3}); // read/write, accessed
        QCOMPARE(data.l, uint8_t {0});
        QCOMPARE(data.db, uint8_t {1});
        QCOMPARE(data.present, uint8_t {1});

        kvm_segment tss = segmentFromDescriptor(gdt[4], kBootTssSelector);
        QCOMPARE(tss.type, uint8_t {0xb}); // busy 64-bit TSS
        QCOMPARE(tss.s, uint8_t {0});
        QCOMPARE(tss.present, uint8_t {1});
    }

    void segmentFromDescriptorDecodesBaseAndByteLimit()
    {
        kvm_segment segment = segmentFromDescriptor(0x124a92345678bcde, 0x28);
        QCOMPARE(segment.base, uint64_t {0x12345678});
        QCOMPARE(segment.limit, uint32_t {0xabcde}); // G clear: the limit counts bytes
        QCOMPARE(segment.g, uint8_t {0});
        QCOMPARE(segment.db, uint8_t {1});
        QCOMPARE(segment.type, uint8_t {0x2});
        QCOMPARE(segment.selector, uint16_t {0x28});

        kvm_segment null = segmentFromDescriptor(0, 0);
        QCOMPARE(null.present, uint8_t {0});
        QCOMPARE(null.unusable, uint8_t {1});
    }

    void gdtAndIdtInGuestMemoryAreTheBootGdt()
    {
        GuestMemory memory = makeMemory();
        auto written = writeGdtAndIdt(memory);
        QVERIFY2(written, written ? "" : written.error().message().c_str());
        auto gdt = memory.readObject<std::array<uint64_t, kBootGdtEntries>>(kGdtAddress);
        QVERIFY(gdt);
        for (size_t i = 0; i < kBootGdtEntries; ++i)
            QVERIFY2((*gdt)[i] == bootGdt()[i],
                ("GDT entry " + std::to_string(i) + " in guest memory is not the boot GDT's")
                    .c_str());
        QCOMPARE(readEntry(memory, kIdtAddress.value()), uint64_t {0});
    }

    void lowMemoryBootStructuresDoNotOverlap()
    {
        const Range ranges[] = {
            {"GDT", kGdtAddress.value(), kGdtAddress.value() + kBootGdtEntries * 8},
            {"IDT", kIdtAddress.value(), kIdtAddress.value() + 8},
            {"zero page", kBootParamsAddress.value(), kBootParamsAddress.value() + 4096},
            {"boot stack top", kBootStackPointer - 16, kBootStackPointer},
            {"page tables", kPml4Address.value(),
                kPageDirectoryAddress.value() + kIdentityMappedGiB * 4096},
            {"command line", kCommandLineAddress.value(),
                kCommandLineAddress.value() + kCommandLineCapacity},
            {"MP table", kMpTableAddress.value(), kMpTableAddress.value() + kMpTableCapacity},
            {"kernel", kKernelLoadAddress.value(), kKernelLoadAddress.value() + 1},
        };
        for (const Range& a : ranges) {
            for (const Range& b : ranges) {
                if (&a == &b)
                    continue;
                bool overlap = a.start < b.end && b.start < a.end;
                QVERIFY2(!overlap, (std::string(a.name) + " overlaps " + b.name).c_str());
            }
        }
    }

    void pageTablesIdentityMapTheFirstFourGiB()
    {
        GuestMemory memory = makeMemory();
        auto cr3 = writeIdentityPageTables(memory);
        QVERIFY2(cr3, cr3 ? "" : cr3.error().message().c_str());
        QCOMPARE(*cr3, kPml4Address.value());

        QCOMPARE(readEntry(memory, 0x9000), uint64_t {0xa000 | kPagePresent | kPageWritable});
        for (uint64_t i = 1; i < 512; ++i)
            QCOMPARE(readEntry(memory, 0x9000 + i * 8), uint64_t {0});
        for (uint64_t i = 0; i < 4; ++i)
            QCOMPARE(readEntry(memory, 0xa000 + i * 8),
                (0xb000 + i * 0x1000) | kPagePresent | kPageWritable);
        for (uint64_t i = 4; i < 512; ++i)
            QCOMPARE(readEntry(memory, 0xa000 + i * 8), uint64_t {0});
        QCOMPARE(readEntry(memory, 0xb000), uint64_t {0x83});
        QCOMPARE(readEntry(memory, 0xb008), uint64_t {0x200083});
        QCOMPARE(readEntry(memory, 0xeff8), uint64_t {0xffe00083});

        for (uint64_t address = 0; address < 4 * GiB; address += 2 * MiB) {
            std::optional<uint64_t> physical = translate(memory, *cr3, address + 0x1234);
            if (physical != address + 0x1234)
                QFAIL(("2 MiB page at " + std::to_string(address >> 20) +
                    " MiB is not identity-mapped")
                          .c_str());
        }
        QVERIFY2(!translate(memory, *cr3, 4 * GiB), "memory above 4 GiB is mapped");
    }

    void bootRegistersEnterTheKernelWithTheZeroPage()
    {
        kvm_regs registers = bootRegisters(0x100200);
        QCOMPARE(uint64_t {registers.rip}, uint64_t {0x100200});
        QCOMPARE(uint64_t {registers.rsi}, kBootParamsAddress.value());
        QCOMPARE(uint64_t {registers.rsp}, kBootStackPointer);
        QCOMPARE(uint64_t {registers.rflags}, uint64_t {0x2}); // reserved bit 1 only: IF clear
    }

    void bootSpecialRegistersEnterLongModeWithBootSegments()
    {
        kvm_sregs current {};
        current.cr0 = 0x60000010; // reset: CD | NW | ET
        current.apic_base = 0xfee00900;
        current.interrupt_bitmap[0] = 0x5;
        kvm_sregs registers = bootSpecialRegisters(current, 0x9000);

        QVERIFY2(registers.cr0 & kCr0ProtectionEnable, "CR0.PE clear");
        QVERIFY2(registers.cr0 & kCr0Paging, "CR0.PG clear");
        QVERIFY2(!(registers.cr0 & (3ull << 29)), "caching still disabled (CR0.CD/NW)");
        QVERIFY2(registers.cr4 & kCr4Pae, "CR4.PAE clear");
        QCOMPARE(uint64_t {registers.cr3}, uint64_t {0x9000});
        QVERIFY2(registers.efer & kEferLongModeEnable, "EFER.LME clear");
        QVERIFY2(registers.efer & kEferLongModeActive, "EFER.LMA clear");

        QCOMPARE(registers.cs.selector, uint16_t {0x10});
        QCOMPARE(registers.cs.l, uint8_t {1});
        QCOMPARE(registers.cs.db, uint8_t {0});
        QCOMPARE(registers.cs.present, uint8_t {1});
        for (const kvm_segment* segment :
            {&registers.ds, &registers.es, &registers.ss, &registers.fs, &registers.gs}) {
            QCOMPARE(segment->selector, uint16_t {0x18});
            QCOMPARE(segment->type, uint8_t {0x3});
            QCOMPARE(segment->limit, uint32_t {0xffffffff});
        }
        QCOMPARE(registers.tr.selector, kBootTssSelector);
        QCOMPARE(registers.tr.present, uint8_t {1});

        QCOMPARE(uint64_t {registers.gdt.base}, kGdtAddress.value());
        QCOMPARE(registers.gdt.limit, uint16_t {kBootGdtEntries * 8 - 1});
        QCOMPARE(uint64_t {registers.idt.base}, kIdtAddress.value());
        QCOMPARE(registers.idt.limit, uint16_t {7});

        // What KVM reported and the boot state does not set stays as it was.
        QCOMPARE(uint64_t {registers.apic_base}, uint64_t {0xfee00900});
        QCOMPARE(uint64_t {registers.interrupt_bitmap[0]}, uint64_t {0x5});
    }

    void bootFpuHasResetControlWords()
    {
        kvm_fpu fpu = bootFpu();
        QCOMPARE(fpu.fcw, uint16_t {0x37f});
        QCOMPARE(fpu.mxcsr, uint32_t {0x1f80});
    }

    void localApicRoutesLint0ToThePicAndLint1ToNmi()
    {
        kvm_lapic_state state {};
        setApicRegister(state, 0x20, 0x03000000); // APIC ID 3
        setApicRegister(state, 0x350, 0x00010000); // LINT0: masked, fixed
        setApicRegister(state, 0x360, 0x00010200); // LINT1: masked, SMI
        kvm_lapic_state result = withLegacyInterruptPins(state);

        QCOMPARE(apicRegister(result, 0x350) & 0x700u, 0x700u); // ExtINT
        QCOMPARE(apicRegister(result, 0x360) & 0x700u, 0x400u); // NMI
        QCOMPARE(apicRegister(result, 0x350) & ~0x700u, 0x00010000u);
        QCOMPARE(apicRegister(result, 0x360) & ~0x700u, 0x00010000u);
        QCOMPARE(apicRegister(result, 0x20), 0x03000000u);
        for (size_t offset = 0; offset < sizeof state.regs; offset += 4) {
            if (offset == 0x350 || offset == 0x360)
                continue;
            QCOMPARE(apicRegister(result, offset), apicRegister(state, offset));
        }
    }

    void bootMsrsEnableFastStringsAndWriteBackMtrrs_data()
    {
        QTest::addColumn<quint32>("index");
        QTest::addColumn<quint64>("value");
        QTest::newRow("IA32_SYSENTER_CS") << quint32 {0x174} << quint64 {0};
        QTest::newRow("IA32_SYSENTER_ESP") << quint32 {0x175} << quint64 {0};
        QTest::newRow("IA32_SYSENTER_EIP") << quint32 {0x176} << quint64 {0};
        QTest::newRow("STAR") << quint32 {0xc0000081} << quint64 {0};
        QTest::newRow("LSTAR") << quint32 {0xc0000082} << quint64 {0};
        QTest::newRow("CSTAR") << quint32 {0xc0000083} << quint64 {0};
        QTest::newRow("SYSCALL_MASK") << quint32 {0xc0000084} << quint64 {0};
        QTest::newRow("KERNEL_GS_BASE") << quint32 {0xc0000102} << quint64 {0};
        QTest::newRow("IA32_TSC") << quint32 {0x10} << quint64 {0};
        QTest::newRow("IA32_MISC_ENABLE fast strings") << quint32 {0x1a0} << quint64 {1};
        QTest::newRow("MTRR_DEF_TYPE enabled, write-back") << quint32 {0x2ff} << quint64 {0x806};
    }
    void bootMsrsEnableFastStringsAndWriteBackMtrrs()
    {
        QFETCH(quint32, index);
        QFETCH(quint64, value);
        std::vector<MsrValue> msrs = bootMsrs();
        auto count = std::count_if(
            msrs.begin(), msrs.end(), [&](const MsrValue& msr) { return msr.index == index; });
        QCOMPARE(count, std::ptrdiff_t {1});
        auto msr = std::find_if(
            msrs.begin(), msrs.end(), [&](const MsrValue& m) { return m.index == index; });
        QCOMPARE(msr->value, value);
    }
};

QTEST_APPLESS_MAIN(X86BootStateTest)
#include "tst_x86_boot_state.moc"
