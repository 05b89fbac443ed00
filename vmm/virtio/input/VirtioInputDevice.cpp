#include "VirtioInputDevice.h"

#include "display/InputSink.h"
#include "virtio/VirtioSpec.h"

#include <algorithm>
#include <array>
#include <mutex>

#include <linux/input-event-codes.h>

namespace vmm {

namespace {

using input::InputEvent;

constexpr InputEvent kSynReport {EV_SYN, SYN_REPORT, 0};

// §5.8.6 struct virtio_input_event, little-endian on the wire.
std::array<uint8_t, input::kEventSize> encode(const InputEvent& event)
{
    return {static_cast<uint8_t>(event.type), static_cast<uint8_t>(event.type >> 8),
        static_cast<uint8_t>(event.code), static_cast<uint8_t>(event.code >> 8),
        static_cast<uint8_t>(event.value), static_cast<uint8_t>(event.value >> 8),
        static_cast<uint8_t>(event.value >> 16), static_cast<uint8_t>(event.value >> 24)};
}

// The pointer buttons of InputSink's mask and the evdev buttons they press.
struct ButtonMapping {
    uint32_t mask;
    uint16_t code;
};
constexpr std::array<ButtonMapping, 3> kButtons {{
    {InputSink::kButtonLeft, BTN_LEFT},
    {InputSink::kButtonMiddle, BTN_MIDDLE},
    {InputSink::kButtonRight, BTN_RIGHT},
}};
constexpr uint32_t kButtonMask =
    InputSink::kButtonLeft | InputSink::kButtonMiddle | InputSink::kButtonRight;

} // namespace

std::shared_ptr<VirtioInputDevice> VirtioInputDevice::keyboard()
{
    return std::shared_ptr<VirtioInputDevice>(new VirtioInputDevice(InputConfig::keyboard()));
}

std::shared_ptr<VirtioInputDevice> VirtioInputDevice::tablet(uint32_t width, uint32_t height)
{
    return std::shared_ptr<VirtioInputDevice>(
        new VirtioInputDevice(InputConfig::tablet(width, height)));
}

VirtioInputDevice::VirtioInputDevice(InputConfig config)
    : m_config(std::move(config))
{
}

uint32_t VirtioInputDevice::deviceType() const
{
    return input::kDeviceIdInput;
}

uint64_t VirtioInputDevice::features() const
{
    return virtio::featureBit(virtio::kFeatureVersion1); // §5.8.3: no device-specific features
}

void VirtioInputDevice::readConfig(uint64_t offset, std::span<uint8_t> data)
{
    m_config.read(offset, data);
}

void VirtioInputDevice::writeConfig(uint64_t offset, std::span<const uint8_t> data)
{
    m_config.write(offset, data);
}

Result<void> VirtioInputDevice::activate(const VirtioActivation& activation)
{
    if (activation.queues.size() != 2)
        return failure(Error::invalid("virtio-input", "needs exactly two queues"));
    m_eventQueue = &activation.queues[input::kEventQueue];
    m_statusQueue = &activation.queues[input::kStatusQueue];
    m_interrupt = &activation.interrupt;
    // Events injected before DRIVER_OK go out when the transport kicks the queues right after.
    return {};
}

void VirtioInputDevice::reset()
{
    m_eventQueue = m_statusQueue = nullptr;
    m_interrupt = nullptr;
    m_pending.clear();
    m_config.reset();
    // A fresh driver believes no button is held; the next pointer event tells it otherwise.
    m_lastButtons = 0;
}

VirtioDevice::Progress VirtioInputDevice::processQueue(size_t index)
{
    if (!m_eventQueue)
        return Progress::Idle;
    bool more = false;
    if (index == input::kEventQueue)
        more = deliverEvents();
    else if (index == input::kStatusQueue)
        more = drainStatus();
    return more ? Progress::MorePending : Progress::Idle;
}

bool VirtioInputDevice::deliverEvents()
{
    int chains = 0;
    while (!m_pending.empty() && chains < kChainsPerRound) {
        std::optional<DescriptorChain> chain = m_eventQueue->pop();
        if (!chain)
            break; // no buffers: the driver's next notification brings us back
        ++chains;
        // §5.8.6.1: the driver fills the eventq with device-writable buffers of one event each.
        if (!chain->readable().empty()) {
            m_log.report("eventq buffer is device-readable");
            (void)m_eventQueue->addUsed(chain->head(), 0);
            continue;
        }
        if (chain->writableLength() < input::kEventSize) {
            m_log.report("eventq buffer shorter than an event");
            (void)m_eventQueue->addUsed(chain->head(), 0);
            continue;
        }
        std::array<uint8_t, input::kEventSize> bytes = encode(m_pending.front());
        size_t written = chain->copyToWritable(0, bytes);
        (void)m_eventQueue->addUsed(chain->head(), static_cast<uint32_t>(written));
        m_pending.popFront();
        m_eventsDelivered.fetch_add(1, std::memory_order_relaxed);
    }
    if (m_eventQueue->needsInterrupt())
        m_interrupt->signalUsedBuffers();
    return chains == kChainsPerRound && !m_pending.empty() && m_eventQueue->hasPending();
}

bool VirtioInputDevice::drainStatus()
{
    // §5.8.6.2: the driver reports LED states here; the host has no LEDs to light, so the
    // buffers only go back to the driver (the transport raises the interrupt after us).
    for (int chains = 0; chains < kChainsPerRound; ++chains) {
        std::optional<DescriptorChain> chain = m_statusQueue->pop();
        if (!chain)
            return false;
        (void)m_statusQueue->addUsed(chain->head(), 0);
    }
    return m_statusQueue->hasPending();
}

void VirtioInputDevice::queueReport(std::span<const InputEvent> report)
{
    size_t dropped = m_pending.pushReport(report);
    if (dropped)
        m_eventsDropped.fetch_add(dropped, std::memory_order_relaxed);
    if (m_eventQueue)
        (void)deliverEvents(); // what the budget leaves waits for the driver's next notification
}

void VirtioInputDevice::injectKey(uint16_t code, bool down)
{
    std::lock_guard lock(mutex());
    if (!m_config.advertises(EV_KEY, code))
        return; // the guest's input core would drop it anyway
    const std::array<InputEvent, 2> report {{{EV_KEY, code, down ? 1u : 0u}, kSynReport}};
    queueReport(report);
}

void VirtioInputDevice::injectPointer(uint32_t x, uint32_t y, uint32_t buttons)
{
    std::lock_guard lock(mutex());
    std::optional<InputConfig::AbsInfo> xAxis = m_config.absInfo(ABS_X);
    std::optional<InputConfig::AbsInfo> yAxis = m_config.absInfo(ABS_Y);
    if (!xAxis || !yAxis)
        return; // a keyboard
    // ABS_X, ABS_Y, up to three buttons, two wheel clicks, SYN_REPORT.
    std::array<InputEvent, 8> report {};
    size_t count = 0;
    report[count++] = {EV_ABS, ABS_X, std::min(x, xAxis->max)};
    report[count++] = {EV_ABS, ABS_Y, std::min(y, yAxis->max)};
    uint32_t changed = (buttons ^ m_lastButtons) & kButtonMask;
    for (const ButtonMapping& button : kButtons) {
        if (changed & button.mask)
            report[count++] = {EV_KEY, button.code, (buttons & button.mask) ? 1u : 0u};
    }
    m_lastButtons = buttons & kButtonMask;
    // Wheel bits are momentary clicks: one detent each, up away from the user (positive).
    if (buttons & InputSink::kWheelUp)
        report[count++] = {EV_REL, REL_WHEEL, 1u};
    if (buttons & InputSink::kWheelDown)
        report[count++] = {EV_REL, REL_WHEEL, static_cast<uint32_t>(-1)};
    report[count++] = kSynReport;
    queueReport(std::span(report).first(count));
}

} // namespace vmm
