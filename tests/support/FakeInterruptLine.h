#pragma once

#include "bus/InterruptLine.h"

#include <mutex>
#include <vector>

/// An interrupt line that records every level a device drives, in order, so a test can check
/// both the current level and that the device called setLevel() only on changes.
class FakeInterruptLine final : public vmm::InterruptLine {
public:
    void setLevel(bool asserted) override
    {
        std::lock_guard lock(m_mutex);
        m_levels.push_back(asserted);
    }

    /// Every level set so far, oldest first.
    std::vector<bool> levels() const
    {
        std::lock_guard lock(m_mutex);
        return m_levels;
    }
    /// The current level (low before the first call).
    bool isAsserted() const
    {
        std::lock_guard lock(m_mutex);
        return !m_levels.empty() && m_levels.back();
    }

private:
    mutable std::mutex m_mutex;
    std::vector<bool> m_levels;
};
