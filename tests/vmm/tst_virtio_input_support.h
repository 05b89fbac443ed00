#pragma once

// Helpers the virtio-input unit tests share: a keyboard or tablet behind the MMIO transport with
// tests/support's VirtqueueDriver as the guest, config-space reads the way Linux's virtio_input
// driver makes them (select, subsel, then size and the union), and eventq buffers posted and
// read back as evdev events.

#include "VirtqueueDriver.h"
#include "memory/GuestMemory.h"
#include "virtio/MmioTransport.h"
#include "virtio/input/InputSpec.h"
#include "virtio/input/VirtioInputDevice.h"

#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include <linux/input-event-codes.h>

#include <QStringList>
#include <QTest>

namespace inputtest {

using vmm::input::InputEvent;

/// What one select/subsel pair shows: the size byte and the 128-byte union.
struct ConfigItem {
    uint8_t size = 0;
    std::vector<uint8_t> payload;

    bool hasBit(unsigned bit) const
    {
        return bit / 8 < size && (payload[bit / 8] & (1u << (bit % 8))) != 0;
    }
    std::string text() const { return std::string(payload.begin(), payload.begin() + size); }
    uint32_t le32(size_t at) const
    {
        uint32_t value = 0;
        std::memcpy(&value, payload.data() + at, 4);
        return value;
    }
    uint16_t le16(size_t at) const
    {
        uint16_t value = 0;
        std::memcpy(&value, payload.data() + at, 2);
        return value;
    }
};

/// An input device, its transport, guest memory and the driver, initialized (DRIVER_OK).
struct InputRig {
    vmm::GuestMemory memory;
    std::shared_ptr<vmm::VirtioInputDevice> device;
    std::shared_ptr<vmm::MmioTransport> transport;
    VirtqueueDriver driver;
    std::map<uint16_t, uint64_t> bufferOfHead; // eventq head -> its buffer's address

    InputRig(vmm::GuestMemory memoryIn, std::shared_ptr<vmm::VirtioInputDevice> deviceIn)
        : memory(std::move(memoryIn))
        , device(std::move(deviceIn))
        , transport(vmm::MmioTransport::create(device, memory).value())
        , driver(memory, *transport)
    {
        if (!driver.initialize())
            qFatal("virtio-input did not come up");
    }

    /// Writes one config byte, as virtio_cwrite8() does.
    void writeConfigByte(uint64_t offset, uint8_t value)
    {
        transport->write(vmm::MmioTransport::kConfig + offset, std::span(&value, 1));
    }
    /// Selects `select`/`subsel` and reads what the device shows for them.
    ConfigItem configItem(uint8_t select, uint8_t subsel)
    {
        writeConfigByte(vmm::input::kConfigSelectOffset, select);
        writeConfigByte(vmm::input::kConfigSubselOffset, subsel);
        ConfigItem item;
        item.size = driver.readConfig(vmm::input::kConfigSizeOffset, 1)[0];
        item.payload = driver.readConfig(vmm::input::kConfigUnionOffset, 128);
        return item;
    }

    /// Posts `count` device-writable 8-byte buffers on the eventq, as virtinput_fill_evt() does,
    /// and notifies.
    void postEventBuffers(int count)
    {
        for (int i = 0; i < count; ++i) {
            uint64_t address = driver.allocate(vmm::input::kEventSize, 8);
            uint16_t head =
                driver.addChain(vmm::input::kEventQueue, {{address, vmm::input::kEventSize, true}});
            bufferOfHead[head] = address;
        }
        driver.notify(vmm::input::kEventQueue);
    }
    /// Every event the device completed since the last call, in used-ring order.
    std::vector<InputEvent> takeEvents()
    {
        std::vector<InputEvent> events;
        while (auto used = driver.takeUsed(vmm::input::kEventQueue)) {
            if (used->length != vmm::input::kEventSize) {
                qWarning("used length %u", used->length);
                events.push_back(InputEvent {0xffff, 0xffff, used->length});
                continue;
            }
            std::vector<uint8_t> raw =
                driver.readBytes(bufferOfHead.at(static_cast<uint16_t>(used->id)), 8);
            InputEvent event;
            std::memcpy(&event.type, raw.data(), 2);
            std::memcpy(&event.code, raw.data() + 2, 2);
            std::memcpy(&event.value, raw.data() + 4, 4);
            events.push_back(event);
        }
        return events;
    }
    /// Whether the transport asks the driver to reset the device (the guest broke something).
    bool needsReset() { return driver.status() & vmm::virtio::kStatusDeviceNeedsReset; }
};

inline std::unique_ptr<InputRig> makeRig(std::shared_ptr<vmm::VirtioInputDevice> device)
{
    auto memory = vmm::GuestMemory::create({vmm::GuestRegion {vmm::GuestAddress(0), 4 << 20}});
    if (!memory)
        qFatal("%s", memory.error().message().c_str());
    return std::make_unique<InputRig>(std::move(*memory), std::move(device));
}

inline constexpr InputEvent kSyn {EV_SYN, SYN_REPORT, 0};

inline InputEvent key(uint16_t code, uint32_t value)
{
    return InputEvent {EV_KEY, code, value};
}
inline InputEvent absolute(uint16_t axis, uint32_t value)
{
    return InputEvent {EV_ABS, axis, value};
}
inline InputEvent wheel(int32_t clicks)
{
    return InputEvent {EV_REL, REL_WHEEL, static_cast<uint32_t>(clicks)};
}

/// Events as "type:code=value" lines, so that a failed QCOMPARE shows both sequences.
inline QStringList describe(const std::vector<InputEvent>& events)
{
    QStringList lines;
    for (const InputEvent& event : events)
        lines << QStringLiteral("%1:%2=%3").arg(event.type).arg(event.code).arg(event.value);
    return lines;
}

} // namespace inputtest
