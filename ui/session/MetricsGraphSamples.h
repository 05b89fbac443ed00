#pragma once

#include "GraphSample.h"
#include "MetricsHistory.h"

#include <QDateTime>
#include <QList>

namespace ui {

/// Turns the engine's metrics points (one per second of engine uptime) into what the graphs
/// draw (wall-clock time, MiB, gaps as missing values).
class MetricsGraphSamples {
public:
    /// `point` drawn at `origin` (when the engine started) plus its second.
    static GraphSample fromPoint(const app::MetricsPoint& point, const QDateTime& origin);
    /// Every point, oldest first.
    static QList<GraphSample> fromPoints(
        const QList<app::MetricsPoint>& points, const QDateTime& origin);
};

} // namespace ui
