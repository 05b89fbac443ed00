#include "MpTable.h"

#include "Layout.h"

#include <cstddef>
#include <cstring>
#include <numeric>

namespace vmm::x86_64 {

namespace {

// Layouts from the MultiProcessor Specification 1.4, chapter 4.
struct [[gnu::packed]] MpFloatingPointer {
    char signature[4];
    uint32_t physicalAddress;
    uint8_t length; // in 16-byte units
    uint8_t specification;
    uint8_t checksum;
    uint8_t features[5];
};
static_assert(sizeof(MpFloatingPointer) == 16);

struct [[gnu::packed]] MpConfigurationHeader {
    char signature[4];
    uint16_t baseTableLength;
    uint8_t specification;
    uint8_t checksum;
    char oemId[8];
    char productId[12];
    uint32_t oemTablePointer;
    uint16_t oemTableSize;
    uint16_t entryCount;
    uint32_t localApicAddress;
    uint16_t extendedTableLength;
    uint8_t extendedTableChecksum;
    uint8_t reserved;
};
static_assert(sizeof(MpConfigurationHeader) == 44);

struct [[gnu::packed]] MpProcessorEntry {
    uint8_t type;
    uint8_t localApicId;
    uint8_t localApicVersion;
    uint8_t cpuFlags;
    uint32_t cpuSignature;
    uint32_t featureFlags;
    uint32_t reserved[2];
};
static_assert(sizeof(MpProcessorEntry) == 20);

struct [[gnu::packed]] MpBusEntry {
    uint8_t type;
    uint8_t busId;
    char busType[6];
};
static_assert(sizeof(MpBusEntry) == 8);

struct [[gnu::packed]] MpIoApicEntry {
    uint8_t type;
    uint8_t ioApicId;
    uint8_t ioApicVersion;
    uint8_t flags;
    uint32_t address;
};
static_assert(sizeof(MpIoApicEntry) == 8);

struct [[gnu::packed]] MpInterruptEntry {
    uint8_t type;
    uint8_t interruptType;
    uint16_t flags;
    uint8_t sourceBusId;
    uint8_t sourceBusIrq;
    uint8_t destinationApicId;
    uint8_t destinationPin;
};
static_assert(sizeof(MpInterruptEntry) == 8);

constexpr uint8_t kEntryProcessor = 0;
constexpr uint8_t kEntryBus = 1;
constexpr uint8_t kEntryIoApic = 2;
constexpr uint8_t kEntryIoInterrupt = 3;
constexpr uint8_t kEntryLocalInterrupt = 4;
constexpr uint8_t kInterruptInt = 0;
constexpr uint8_t kInterruptNmi = 1;
constexpr uint8_t kInterruptExtInt = 3;
constexpr uint8_t kCpuEnabled = 1;
constexpr uint8_t kCpuBootProcessor = 2;
constexpr uint8_t kLocalApicVersion = 0x14;
constexpr uint8_t kIoApicVersion = 0x11;
constexpr uint32_t kCpuSignature = 0x600;          // family 6
constexpr uint32_t kCpuFeatureFpuApic = 0x201;    // FPU | APIC
constexpr uint8_t kAllLocalApics = 0xff;
constexpr uint8_t kIsaBusId = 0;

template<typename T>
void append(std::vector<uint8_t>& bytes, const T& entry)
{
    // Safety: T is a packed plain struct; its object representation is its wire format.
    const auto* raw = reinterpret_cast<const uint8_t*>(&entry);
    bytes.insert(bytes.end(), raw, raw + sizeof(T));
}

uint8_t checksum(const uint8_t* data, size_t length)
{
    uint8_t sum = std::accumulate(data, data + length, uint8_t { 0 },
        [](uint8_t a, uint8_t b) { return static_cast<uint8_t>(a + b); });
    return static_cast<uint8_t>(-sum);
}

} // namespace

Result<std::vector<uint8_t>> buildMpTable(uint32_t vcpuCount, uint32_t tableAddress)
{
    if (vcpuCount == 0 || vcpuCount > kMaxVcpus)
        return failure(Error::invalid("MP table", "vCPU count must be between 1 and 32"));

    const uint8_t ioApicId = static_cast<uint8_t>(vcpuCount);
    std::vector<uint8_t> entries;
    uint16_t entryCount = 0;

    for (uint32_t i = 0; i < vcpuCount; ++i) {
        MpProcessorEntry cpu {};
        cpu.type = kEntryProcessor;
        cpu.localApicId = static_cast<uint8_t>(i);
        cpu.localApicVersion = kLocalApicVersion;
        cpu.cpuFlags = static_cast<uint8_t>(kCpuEnabled | (i == 0 ? kCpuBootProcessor : 0));
        cpu.cpuSignature = kCpuSignature;
        cpu.featureFlags = kCpuFeatureFpuApic;
        append(entries, cpu);
        ++entryCount;
    }

    MpBusEntry bus { kEntryBus, kIsaBusId, { 'I', 'S', 'A', ' ', ' ', ' ' } };
    append(entries, bus);
    ++entryCount;

    MpIoApicEntry ioApic { kEntryIoApic, ioApicId, kIoApicVersion, 1, static_cast<uint32_t>(kIoApicAddress) };
    append(entries, ioApic);
    ++entryCount;

    for (uint32_t pin = 0; pin < kIoApicPinCount; ++pin) {
        MpInterruptEntry irq { kEntryIoInterrupt, kInterruptInt, 0, kIsaBusId, static_cast<uint8_t>(pin),
            ioApicId, static_cast<uint8_t>(pin) };
        append(entries, irq);
        ++entryCount;
    }

    MpInterruptEntry extInt { kEntryLocalInterrupt, kInterruptExtInt, 0, kIsaBusId, 0, kAllLocalApics, 0 };
    MpInterruptEntry nmi { kEntryLocalInterrupt, kInterruptNmi, 0, kIsaBusId, 0, kAllLocalApics, 1 };
    append(entries, extInt);
    append(entries, nmi);
    entryCount += 2;

    MpConfigurationHeader header {};
    std::memcpy(header.signature, "PCMP", 4);
    header.baseTableLength = static_cast<uint16_t>(sizeof header + entries.size());
    header.specification = 4;
    std::memcpy(header.oemId, "AIRLOCK ", 8);
    std::memcpy(header.productId, "MICROVM     ", 12);
    header.entryCount = entryCount;
    header.localApicAddress = static_cast<uint32_t>(kLocalApicAddress);

    std::vector<uint8_t> configuration;
    append(configuration, header);
    configuration.insert(configuration.end(), entries.begin(), entries.end());
    configuration[offsetof(MpConfigurationHeader, checksum)] = checksum(configuration.data(), configuration.size());

    MpFloatingPointer pointer {};
    std::memcpy(pointer.signature, "_MP_", 4);
    pointer.physicalAddress = tableAddress + static_cast<uint32_t>(sizeof pointer);
    pointer.length = 1;
    pointer.specification = 4;
    std::vector<uint8_t> table;
    append(table, pointer);
    table[offsetof(MpFloatingPointer, checksum)] = checksum(table.data(), table.size());
    table.insert(table.end(), configuration.begin(), configuration.end());

    if (table.size() > kMpTableCapacity)
        return failure(Error::invalid("MP table", "does not fit below 640 KiB"));
    return table;
}

} // namespace vmm::x86_64
