#include "ConsoleWatcher.h"

namespace vmm {

static constexpr size_t kMaxLineLength = 256;
static constexpr std::string_view kPanicMarker = "Kernel panic - not syncing";
// Without a power-off driver (no ACPI) the kernel turns a power-off into a halt and says so.
static constexpr std::string_view kPowerOffMarker = "reboot: Power down";
static constexpr std::string_view kHaltMarker = "reboot: System halted";

ConsoleWatcher::ConsoleWatcher(std::function<void()> onPowerOff)
    : m_onPowerOff(std::move(onPowerOff))
{
}

std::optional<std::string> ConsoleWatcher::panicMessage() const
{
    std::lock_guard lock(m_mutex);
    return m_panic;
}

void ConsoleWatcher::consume(std::span<const uint8_t> bytes)
{
    bool poweredOff = false;
    {
        std::lock_guard lock(m_mutex);
        bool before = m_poweredOff;
        for (uint8_t byte : bytes) {
            if (byte == '\n') {
                endLine();
            } else if (byte != '\r' && m_line.size() < kMaxLineLength) {
                m_line.push_back(static_cast<char>(byte));
            }
        }
        poweredOff = !before && m_poweredOff;
    }
    // Outside the lock: the callback stops the machine, which may read panicMessage().
    if (poweredOff && m_onPowerOff)
        m_onPowerOff();
}

void ConsoleWatcher::endLine()
{
    size_t panic = m_line.find(kPanicMarker);
    if (panic != std::string::npos && !m_panic)
        m_panic = m_line.substr(panic);
    if (m_line.find(kPowerOffMarker) != std::string::npos || m_line.find(kHaltMarker) != std::string::npos)
        m_poweredOff = true;
    m_line.clear();
}

} // namespace vmm
