#include "Sparkline.h"

#include <algorithm>
#include <cmath>

#include <QPainter>
#include <QPainterPath>

namespace ui {

Sparkline::Sparkline(QWidget* parent)
    : QWidget(parent)
    , m_color(0x1d, 0x99, 0xf3)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void Sparkline::addValue(double value)
{
    m_values.append(value);
    if (m_values.size() > maximumValues) {
        m_values.remove(0, m_values.size() - maximumValues);
    }
    update();
}

void Sparkline::setValues(const QList<double>& values)
{
    m_values = values.mid(std::max<qsizetype>(0, values.size() - maximumValues));
    update();
}

void Sparkline::setRange(double minimum, double maximum)
{
    m_minimum = minimum;
    m_maximum = maximum > minimum ? maximum : minimum + 1.0;
    update();
}

void Sparkline::setColor(const QColor& color)
{
    m_color = color;
    update();
}

QSize Sparkline::sizeHint() const
{
    return {2 * maximumValues, fontMetrics().height()};
}

QSize Sparkline::minimumSizeHint() const
{
    return {maximumValues / 2, 12};
}

void Sparkline::paintEvent(QPaintEvent* /*event*/)
{
    QPainter painter(this);
    paint(painter, QRectF(rect()).adjusted(1, 1, -1, -1), m_values, m_minimum, m_maximum, m_color);
}

void Sparkline::paint(QPainter& painter, const QRectF& area, const QList<double>& values,
    double minimum, double maximum, const QColor& color)
{
    if (values.isEmpty() || area.width() <= 0 || area.height() <= 0) {
        return;
    }
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    // A fixed step for maximumValues points, newest at the right: the line scrolls left as
    // values arrive instead of stretching while the history fills.
    const double step = area.width() / (maximumValues - 1);
    const double span = maximum > minimum ? maximum - minimum : 1.0;
    const qsizetype count = std::min<qsizetype>(values.size(), maximumValues);
    const qsizetype first = values.size() - count;

    QPainterPath line;
    QPainterPath fill;
    bool inSegment = false;
    QPointF segmentStart;
    QPointF previous;
    const auto closeSegment = [&] {
        if (inSegment) {
            fill.lineTo(previous.x(), area.bottom());
            fill.lineTo(segmentStart.x(), area.bottom());
            fill.closeSubpath();
        }
        inSegment = false;
    };
    for (qsizetype index = 0; index < count; ++index) {
        const double value = values.at(first + index);
        if (!std::isfinite(value)) {
            closeSegment();
            continue;
        }
        const double x = area.right() - static_cast<double>(count - 1 - index) * step;
        const double ratio = std::clamp((value - minimum) / span, 0.0, 1.0);
        const QPointF point(x, area.bottom() - ratio * area.height());
        if (!inSegment) {
            line.moveTo(point);
            fill.moveTo(point.x(), area.bottom());
            fill.lineTo(point);
            segmentStart = point;
            inSegment = true;
        } else {
            line.lineTo(point);
            fill.lineTo(point);
        }
        previous = point;
    }
    closeSegment();

    // A filled area reads at a glance in a small table cell, where a thin line alone does not.
    QColor fillColor = color;
    fillColor.setAlpha(90);
    painter.fillPath(fill, fillColor);
    painter.setPen(QPen(color, 1.8, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    painter.drawPath(line);
    // The newest value as a dot at the right edge, when it is known.
    if (std::isfinite(values.last())) {
        painter.setPen(Qt::NoPen);
        painter.setBrush(color);
        painter.drawEllipse(previous, 2.5, 2.5);
    }
    painter.restore();
}

} // namespace ui
