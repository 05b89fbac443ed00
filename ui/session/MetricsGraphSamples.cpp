#include "MetricsGraphSamples.h"

#include <cmath>

namespace ui {

namespace {

constexpr double kBytesPerMiB = 1024.0 * 1024.0;

// NaN is the engine's "not known"; the graphs want an absent value for it.
std::optional<double> known(double value, double scale = 1.0)
{
    if (std::isnan(value))
        return std::nullopt;
    return value / scale;
}

} // namespace

GraphSample MetricsGraphSamples::fromPoint(const app::MetricsPoint& point, const QDateTime& origin)
{
    GraphSample sample;
    sample.time = origin.addSecs(point.second);
    sample.cpuPercent = known(point.cpuPercent);
    sample.memoryUsedMiB = known(point.memoryUsedBytes, kBytesPerMiB);
    sample.memoryTotalMiB = known(point.memoryTotalBytes, kBytesPerMiB);
    sample.datasetReadBytesPerSecond = known(point.datasetReadBytesPerSecond);
    sample.scratchWriteBytesPerSecond = known(point.scratchWriteBytesPerSecond);
    sample.load1 = known(point.load);
    return sample;
}

QList<GraphSample> MetricsGraphSamples::fromPoints(
    const QList<app::MetricsPoint>& points, const QDateTime& origin)
{
    QList<GraphSample> samples;
    samples.reserve(points.size());
    for (const app::MetricsPoint& point : points)
        samples.append(fromPoint(point, origin));
    return samples;
}

} // namespace ui
