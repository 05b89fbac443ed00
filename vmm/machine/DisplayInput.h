#pragma once

#include "display/InputSink.h"

#include <memory>

namespace vmm {

class EventLoop;
class VirtioInputDevice;

/// The display server's input, handed to the guest's virtio-input keyboard and tablet on the
/// device thread (the only thread that processes devices): each event is posted to the device
/// loop, which injects it. Called from the display thread; never blocks.
class DisplayInput final : public InputSink {
public:
    DisplayInput(EventLoop& loop, std::shared_ptr<VirtioInputDevice> keyboard,
        std::shared_ptr<VirtioInputDevice> tablet);

    void key(uint16_t code, bool down) override;
    void pointer(uint32_t x, uint32_t y, uint32_t buttons) override;

private:
    EventLoop& m_loop;
    std::shared_ptr<VirtioInputDevice> m_keyboard;
    std::shared_ptr<VirtioInputDevice> m_tablet;
};

} // namespace vmm
