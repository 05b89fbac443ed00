#include "DisplayInput.h"

#include "sys/EventLoop.h"
#include "virtio/input/VirtioInputDevice.h"

namespace vmm {

DisplayInput::DisplayInput(EventLoop& loop, std::shared_ptr<VirtioInputDevice> keyboard,
    std::shared_ptr<VirtioInputDevice> tablet)
    : m_loop(loop)
    , m_keyboard(std::move(keyboard))
    , m_tablet(std::move(tablet))
{
}

void DisplayInput::key(uint16_t code, bool down)
{
    m_loop.post([keyboard = m_keyboard, code, down] { keyboard->injectKey(code, down); });
}

void DisplayInput::pointer(uint32_t x, uint32_t y, uint32_t buttons)
{
    m_loop.post([tablet = m_tablet, x, y, buttons] { tablet->injectPointer(x, y, buttons); });
}

} // namespace vmm
