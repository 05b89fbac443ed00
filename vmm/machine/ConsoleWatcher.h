#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>

namespace vmm {

/// Reads the guest console as it is written and recognizes the kernel's own last words: a panic
/// ("Kernel panic - not syncing: ...") and a power-off or halt ("reboot: Power down", "reboot:
/// System halted"). Without ACPI these
/// lines are the only sign of either; a guest could print them itself, but it can stop the
/// machine with any status anyway, so nothing is lost by believing it. Lines are bounded.
/// Thread-safe.
class ConsoleWatcher {
public:
    /// `onPowerOff` is called once when the power-off line is seen.
    explicit ConsoleWatcher(std::function<void()> onPowerOff);

    /// Feeds console output.
    void consume(std::span<const uint8_t> bytes);
    /// The panic line, once one was seen.
    std::optional<std::string> panicMessage() const;

private:
    void endLine();

    mutable std::mutex m_mutex;
    std::function<void()> m_onPowerOff;
    std::string m_line;
    std::optional<std::string> m_panic;
    bool m_poweredOff = false;
};

} // namespace vmm
