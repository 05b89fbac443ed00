#pragma once

#include "InputConfig.h"
#include "PendingInputEvents.h"
#include "virtio/GuestErrorLog.h"
#include "virtio/VirtioDevice.h"

#include <atomic>
#include <cstdint>
#include <memory>

namespace vmm {

/// A virtio input device (virtio 1.1 §5.8): the guest's evdev keyboard or tablet, fed by the
/// display server through injectKey() / injectPointer(). Events wait in a bounded pending queue
/// (PendingInputEvents) until the driver posts eventq buffers, one 8-byte event per buffer; the
/// statusq (LED states the guest sends) is consumed and ignored.
class VirtioInputDevice final : public VirtioDevice {
public:
    static constexpr uint16_t kQueueSize = 64;
    /// Events held for a driver that posts no buffers; older reports are dropped beyond this.
    static constexpr size_t kMaxPendingEvents = 256;
    /// Chains taken from one queue per notification or injection at most.
    static constexpr int kChainsPerRound = 2 * kQueueSize;

    /// "Airlock keyboard": EV_KEY (every key a PC keyboard has), EV_REP, EV_LED.
    static std::shared_ptr<VirtioInputDevice> keyboard();
    /// "Airlock tablet": ABS_X 0..width-1, ABS_Y 0..height-1, BTN_LEFT/RIGHT/MIDDLE, REL_WHEEL;
    /// INPUT_PROP_DIRECT not set (a pointer).
    static std::shared_ptr<VirtioInputDevice> tablet(uint32_t width, uint32_t height);

    uint32_t deviceType() const override;
    uint64_t features() const override;
    std::vector<uint16_t> queueMaxSizes() const override { return {kQueueSize, kQueueSize}; }
    void readConfig(uint64_t offset, std::span<uint8_t> data) override;
    void writeConfig(uint64_t offset, std::span<const uint8_t> data) override;
    Result<void> activate(const VirtioActivation& activation) override;
    Progress processQueue(size_t index) override;
    void reset() override;

    /// Queues a key press/release (+ EV_SYN) for the guest; codes the device does not announce
    /// are ignored. Device thread only; takes mutex() itself.
    void injectKey(uint16_t code, bool down);
    /// Queues the pointer at (x, y) with `buttons` (InputSink::Button mask): ABS_X/ABS_Y, the
    /// buttons that changed since the last call, a REL_WHEEL click per wheel bit, EV_SYN. Ignored
    /// by a device without absolute axes. Device thread only; takes mutex().
    void injectPointer(uint32_t x, uint32_t y, uint32_t buttons);
    /// Events written into guest buffers so far; any thread.
    uint64_t eventsDelivered() const { return m_eventsDelivered.load(std::memory_order_relaxed); }
    /// Pending events dropped because the guest posted no buffers; any thread.
    uint64_t eventsDropped() const { return m_eventsDropped.load(std::memory_order_relaxed); }

private:
    explicit VirtioInputDevice(InputConfig config);

    /// Queues one report (ending in SYN_REPORT) and delivers what buffers allow (mutex held).
    void queueReport(std::span<const input::InputEvent> report);
    /// Fills posted eventq buffers from the pending events; true when stopped at the budget.
    bool deliverEvents();
    /// Returns the driver's statusq buffers; true when stopped at the budget.
    bool drainStatus();

    InputConfig m_config;
    PendingInputEvents m_pending {kMaxPendingEvents};
    uint32_t m_lastButtons = 0; // InputSink::Button bits of the last injectPointer()
    Queue* m_eventQueue = nullptr; // while active
    Queue* m_statusQueue = nullptr;
    VirtioInterrupt* m_interrupt = nullptr;
    std::atomic<uint64_t> m_eventsDelivered {0};
    std::atomic<uint64_t> m_eventsDropped {0};
    GuestErrorLog m_log {"virtio-input"};
};

} // namespace vmm
