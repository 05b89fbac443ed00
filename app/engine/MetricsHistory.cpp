#include "MetricsHistory.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace app {

namespace {
constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();
constexpr double kNanosecondsPerSecond = 1e9;

// (after - before) / seconds, or unknown when the counter went backwards.
double rate(quint64 before, quint64 after, double seconds)
{
    if (after < before || seconds <= 0)
        return kUnknown;
    return static_cast<double>(after - before) / seconds;
}

double gauge(const std::optional<quint64>& value)
{
    return value ? static_cast<double>(*value) : kUnknown;
}

qint64 secondOf(qint64 timestampMs)
{
    return timestampMs / 1000;
}
} // namespace

MetricsPoint MetricsPoint::gap(qint64 second)
{
    return MetricsPoint {second, kUnknown, kUnknown, kUnknown, kUnknown, kUnknown, kUnknown};
}

MetricsPoint MetricsHistory::pointFor(const MetricsSample& sample, qint64 second) const
{
    MetricsPoint point = MetricsPoint::gap(second);
    point.memoryUsedBytes = gauge(sample.guestMemoryUsedBytes);
    point.memoryTotalBytes = gauge(sample.guestMemoryTotalBytes);
    point.load = sample.guestLoad ? *sample.guestLoad : kUnknown;
    if (!m_previous)
        return point;
    double seconds = static_cast<double>(sample.timestampMs - m_previous->timestampMs) / 1000.0;
    point.datasetReadBytesPerSecond =
        rate(m_previous->datasetBytesRead, sample.datasetBytesRead, seconds);
    point.scratchWriteBytesPerSecond =
        rate(m_previous->scratchBytesWritten, sample.scratchBytesWritten, seconds);

    // vCPUs present in both samples; any of them going backwards makes the usage unknown.
    double busyNs = 0;
    int vcpus = 0;
    for (auto vcpu = sample.vcpuTimeNs.cbegin(); vcpu != sample.vcpuTimeNs.cend(); ++vcpu) {
        auto before = m_previous->vcpuTimeNs.constFind(vcpu.key());
        if (before == m_previous->vcpuTimeNs.cend())
            continue;
        if (vcpu.value() < before.value())
            return point; // reset: usage unknown, the rates above stand
        busyNs += static_cast<double>(vcpu.value() - before.value());
        ++vcpus;
    }
    if (vcpus > 0 && seconds > 0)
        point.cpuPercent =
            std::clamp(busyNs / (seconds * kNanosecondsPerSecond) / vcpus * 100.0, 0.0, 100.0);
    return point;
}

void MetricsHistory::add(const MetricsSample& sample)
{
    qint64 second = secondOf(sample.timestampMs);
    if (m_previous) {
        qint64 previousSecond = secondOf(m_previous->timestampMs);
        if (sample.timestampMs < m_previous->timestampMs)
            clear();
        else if (second == previousSecond)
            return;
    }
    if (m_previous) {
        qint64 missing = second - secondOf(m_previous->timestampMs) - 1;
        if (missing >= kCapacity) {
            // Nothing of the old window would remain visible: the gap fills it all.
            m_points.clear();
            m_oldest = 0;
            missing = kCapacity - 1;
        }
        for (qint64 gapSecond = second - missing; gapSecond < second; ++gapSecond)
            append(MetricsPoint::gap(gapSecond));
    }
    append(pointFor(sample, second));
    m_previous = sample;
}

void MetricsHistory::append(const MetricsPoint& point)
{
    if (m_points.size() < static_cast<size_t>(kCapacity)) {
        m_points.push_back(point);
        return;
    }
    m_points[m_oldest] = point;
    m_oldest = (m_oldest + 1) % m_points.size();
}

QList<MetricsPoint> MetricsHistory::points() const
{
    QList<MetricsPoint> ordered;
    ordered.reserve(static_cast<qsizetype>(m_points.size()));
    for (size_t i = 0; i < m_points.size(); ++i)
        ordered.append(m_points[(m_oldest + i) % m_points.size()]);
    return ordered;
}

std::optional<MetricsPoint> MetricsHistory::latest() const
{
    if (m_points.empty())
        return std::nullopt;
    return m_points[(m_oldest + m_points.size() - 1) % m_points.size()];
}

void MetricsHistory::clear()
{
    m_points.clear();
    m_oldest = 0;
    m_previous.reset();
}

} // namespace app
