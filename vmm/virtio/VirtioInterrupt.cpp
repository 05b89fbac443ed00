#include "VirtioInterrupt.h"

namespace vmm {

VirtioInterrupt::VirtioInterrupt(EventFd eventFd)
    : m_eventFd(std::move(eventFd))
{
}

VirtioInterrupt::VirtioInterrupt(VirtioInterrupt&& other) noexcept
    : m_eventFd(std::move(other.m_eventFd))
    , m_status(other.m_status.load())
{
}

Result<VirtioInterrupt> VirtioInterrupt::create()
{
    return VirtioInterrupt(VMM_TRY(EventFd::create()));
}

void VirtioInterrupt::raise(uint32_t cause)
{
    // An edge only when the cause was clear: while it is set, the driver has not yet run the
    // handler that acknowledges it and then reads the rings, so it will see this work too
    // (Linux's vm_interrupt acknowledges before it looks at the queues). No spurious interrupts.
    uint32_t previous = m_status.fetch_or(cause, std::memory_order_acq_rel);
    if ((previous & cause) == 0)
        m_eventFd.signal();
}

} // namespace vmm
