#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace vmm {

/// Reports guest-caused errors on stderr without letting a guest flood the log (STYLE.md §Engine
/// safety): a burst of kBurst messages per kWindow, then one line saying how many were dropped.
/// Not thread-safe: its owner calls it under the lock that guards the owner.
class GuestErrorLog {
public:
    static constexpr int kBurst = 10;
    static constexpr std::chrono::seconds kWindow {10};

    /// `source` names the reporter in each line ("virtio-blk", "virtqueue").
    explicit GuestErrorLog(std::string source);

    /// Counts one guest error and prints it unless this window's burst is spent.
    void report(std::string_view message);
    /// Every error reported so far, printed or not.
    uint64_t total() const { return m_total; }

private:
    std::string m_source;
    std::chrono::steady_clock::time_point m_windowStart {};
    int m_printedInWindow = 0;
    uint64_t m_suppressed = 0;
    uint64_t m_total = 0;
};

} // namespace vmm
