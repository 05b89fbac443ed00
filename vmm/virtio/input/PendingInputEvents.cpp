#include "PendingInputEvents.h"

#include <algorithm>

#include <linux/input-event-codes.h>

namespace vmm {

namespace {

bool endsReport(const input::InputEvent& event)
{
    return event.type == EV_SYN && event.code == SYN_REPORT;
}

} // namespace

PendingInputEvents::PendingInputEvents(size_t capacity)
    : m_capacity(capacity)
{
}

size_t PendingInputEvents::pushReport(std::span<const input::InputEvent> report)
{
    if (report.size() > m_capacity)
        return report.size();
    size_t dropped = 0;
    while (m_events.size() + report.size() > m_capacity) {
        size_t count = dropOldestReport();
        if (count == 0)
            return dropped + report.size(); // only a begun report is left: the new one waits out
        dropped += count;
    }
    m_events.insert(m_events.end(), report.begin(), report.end());
    return dropped;
}

size_t PendingInputEvents::dropOldestReport()
{
    auto begin = m_events.begin();
    if (m_frontStarted) {
        begin = std::find_if(m_events.begin(), m_events.end(), endsReport);
        if (begin == m_events.end())
            return 0;
        ++begin;
    }
    if (begin == m_events.end())
        return 0;
    auto last = std::find_if(begin, m_events.end(), endsReport);
    auto end = last == m_events.end() ? last : last + 1;
    auto count = static_cast<size_t>(end - begin);
    m_events.erase(begin, end);
    return count;
}

void PendingInputEvents::popFront()
{
    if (m_events.empty())
        return;
    m_frontStarted = !endsReport(m_events.front());
    m_events.pop_front();
}

void PendingInputEvents::clear()
{
    m_events.clear();
    m_frontStarted = false;
}

} // namespace vmm
