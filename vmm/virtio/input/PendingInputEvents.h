#pragma once

#include "InputSpec.h"

#include <cstddef>
#include <deque>
#include <span>

namespace vmm {

/// The events a virtio-input device holds for the guest until the driver posts eventq buffers,
/// bounded: a report (events up to and including SYN_REPORT) that does not fit pushes out whole
/// reports, oldest first, so that the guest never sees half a report and the newest state (where
/// the pointer is now, which keys went up last) survives. A report whose first events were
/// already delivered is never dropped: the guest finishes it.
class PendingInputEvents {
public:
    /// Holds at most `capacity` events (a constant of the device).
    explicit PendingInputEvents(size_t capacity);

    /// Appends `report` (ending in SYN_REPORT) and returns how many events were dropped to make
    /// room for it (the report itself, when it cannot fit at all).
    size_t pushReport(std::span<const input::InputEvent> report);
    bool empty() const { return m_events.empty(); }
    /// Events pending.
    size_t size() const { return m_events.size(); }
    size_t capacity() const { return m_capacity; }
    /// The next event to deliver; only when !empty().
    const input::InputEvent& front() const { return m_events.front(); }
    /// The front event was delivered.
    void popFront();
    /// Forgets every event (device reset).
    void clear();

private:
    /// Drops the oldest report not yet begun; returns its length (0 when there is none).
    size_t dropOldestReport();

    size_t m_capacity;
    std::deque<input::InputEvent> m_events;
    bool m_frontStarted = false; // part of the front report has been delivered
};

} // namespace vmm
