#include "GuestErrorLog.h"

#include <cstdio>

namespace vmm {

GuestErrorLog::GuestErrorLog(std::string source)
    : m_source(std::move(source))
{
}

void GuestErrorLog::report(std::string_view message)
{
    ++m_total;
    auto now = std::chrono::steady_clock::now();
    if (m_printedInWindow == 0 || now - m_windowStart >= kWindow) {
        if (m_suppressed > 0) {
            std::fprintf(stderr, "airlock-vmm: %s: %llu more guest errors not shown\n",
                m_source.c_str(), static_cast<unsigned long long>(m_suppressed));
        }
        m_windowStart = now;
        m_printedInWindow = 0;
        m_suppressed = 0;
    }
    if (m_printedInWindow >= kBurst) {
        ++m_suppressed;
        return;
    }
    ++m_printedInWindow;
    std::fprintf(stderr, "airlock-vmm: %s: guest error: %.*s\n", m_source.c_str(),
        static_cast<int>(message.size()), message.data());
}

} // namespace vmm
