#pragma once

#include <qcustomplot.h>

namespace ui {

/// A QCustomPlot value axis ticker for bytes per second: steps of 1, 2 or 5 times a 1024-power
/// unit, labelled in human units ("512 KiB/s", "1.5 MiB/s").
class ByteRateTicker : public QCPAxisTicker {
protected:
    double getTickStep(const QCPRange& range) override;
    QString getTickLabel(
        double tick, const QLocale& locale, QChar formatChar, int precision) override;
};

} // namespace ui
