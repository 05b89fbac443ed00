// SessionGraphs: ten minutes of live metrics, gaps where a value is missing, human units.
#include "ByteRate.h"
#include "SessionGraphs.h"
#include "TimeSeriesPlot.h"

#include <cmath>

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>

using ui::GraphSample;
using ui::SessionGraphs;
using Series = ui::SessionGraphs::Series;
using Chart = ui::SessionGraphs::Chart;

namespace {

const QDateTime start = QDateTime::fromSecsSinceEpoch(1'700'000'000);

GraphSample sampleAt(int second)
{
    GraphSample sample;
    sample.time = start.addSecs(second);
    sample.cpuPercent = 40.0 + 30.0 * std::sin(second / 20.0);
    sample.memoryUsedMiB = 300.0 + second % 200;
    sample.memoryTotalMiB = 1024.0;
    sample.datasetReadBytesPerSecond = (second % 60 < 30 ? 24.0 : 3.0) * 1024 * 1024;
    sample.scratchWriteBytesPerSecond = 512.0 * 1024 * (1 + second % 7);
    sample.load1 = 0.5 + (second % 90) / 60.0;
    return sample;
}

int pixelsNear(const QImage& image, const QColor& color)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor pixel = image.pixelColor(x, y);
            if (std::abs(pixel.red() - color.red()) < 24 &&
                std::abs(pixel.green() - color.green()) < 24 &&
                std::abs(pixel.blue() - color.blue()) < 24) {
                ++count;
            }
        }
    }
    return count;
}

} // namespace

class SessionGraphsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keepsTheLastSixHundredPoints();
    void missingValueIsAGapNotAZero();
    void showsTheLastTenMinutes();
    void byteRatesInHumanUnits();
    void replotsAtMostOncePerSecond();
    void drawsTheCurves();
};

void SessionGraphsTest::keepsTheLastSixHundredPoints()
{
    SessionGraphs graphs;
    for (int second = 0; second < 700; ++second) {
        graphs.addSample(sampleAt(second));
    }
    for (const Series series :
        {Series::CpuPercent, Series::MemoryUsedMiB, Series::MemoryTotalMiB,
            Series::DatasetReadBytesPerSecond, Series::ScratchWriteBytesPerSecond, Series::Load1}) {
        QCOMPARE(graphs.values(series).size(), SessionGraphs::maximumPoints);
    }
    // The oldest 100 went.
    QCOMPARE(graphs.values(Series::CpuPercent).first(), *sampleAt(100).cpuPercent);
    QCOMPARE(graphs.values(Series::Load1).last(), *sampleAt(699).load1);
    // Replacing the history keeps the newest too.
    QList<GraphSample> history;
    for (int second = 0; second < 700; ++second) {
        history.append(sampleAt(second));
    }
    graphs.setSamples(history);
    QCOMPARE(graphs.values(Series::MemoryUsedMiB).size(), SessionGraphs::maximumPoints);
    QCOMPARE(graphs.values(Series::MemoryUsedMiB).first(), *sampleAt(100).memoryUsedMiB);
}

void SessionGraphsTest::missingValueIsAGapNotAZero()
{
    SessionGraphs graphs;
    graphs.addSample(sampleAt(0));
    GraphSample partial = sampleAt(1);
    partial.cpuPercent.reset();
    partial.load1.reset(); // the agent did not report
    graphs.addSample(partial);
    graphs.addSample(sampleAt(2));
    const QList<double> cpu = graphs.values(Series::CpuPercent);
    QCOMPARE(cpu.size(), 3);
    QVERIFY(std::isnan(cpu.at(1)));
    QVERIFY(std::isfinite(cpu.at(0)) && std::isfinite(cpu.at(2)));
    QVERIFY(std::isnan(graphs.values(Series::Load1).at(1)));
    QCOMPARE(graphs.values(Series::MemoryUsedMiB).at(1), *partial.memoryUsedMiB);
    // A sample without a time is no sample.
    graphs.addSample(GraphSample {});
    QCOMPARE(graphs.values(Series::CpuPercent).size(), 3);
}

void SessionGraphsTest::showsTheLastTenMinutes()
{
    SessionGraphs graphs;
    for (int second = 0; second < 900; ++second) {
        graphs.addSample(sampleAt(second));
    }
    // The burst is drawn within a second (replots are throttled, not dropped).
    const double latest = QCPAxisTickerDateTime::dateTimeToKey(start.addSecs(899));
    QTRY_COMPARE_WITH_TIMEOUT(graphs.chart(Chart::Cpu)->xAxis->range().upper, latest, 3000);
    const QCPRange range = graphs.chart(Chart::Cpu)->xAxis->range();
    QCOMPARE(range.size(), SessionGraphs::windowSeconds);
    // Memory's axis shows the allocation, not just what is used.
    QVERIFY(graphs.chart(Chart::Memory)->yAxis->range().upper >= 1024.0);
}

void SessionGraphsTest::byteRatesInHumanUnits()
{
    QCOMPARE(ui::ByteRate::format(0), QStringLiteral("0 B/s"));
    QCOMPARE(ui::ByteRate::format(512), QStringLiteral("512 B/s"));
    QCOMPARE(ui::ByteRate::format(1536), QStringLiteral("1.5 KiB/s"));
    QCOMPARE(ui::ByteRate::format(20.0 * 1024 * 1024), QStringLiteral("20 MiB/s"));
    QCOMPARE(ui::ByteRate::format(3.25 * 1024 * 1024 * 1024), QStringLiteral("3.3 GiB/s"));

    SessionGraphs graphs;
    for (int second = 0; second < 60; ++second) {
        graphs.addSample(sampleAt(second));
    }
    ui::TimeSeriesPlot* io = graphs.chart(Chart::Io);
    QTRY_VERIFY(io->yAxis->range().upper > 20.0 * 1024 * 1024);
    io->replot();
    const QVector<QString> labels = io->yAxis->tickVectorLabels();
    QVERIFY(!labels.isEmpty());
    QVERIFY2(labels.last().endsWith(QStringLiteral("MiB/s")), qPrintable(labels.last()));
    // Ticks fall on whole numbers of the unit, not on 1,000,000-byte multiples.
    const double step = io->yAxis->tickVector().at(1) - io->yAxis->tickVector().at(0);
    QCOMPARE(std::fmod(step, 1024.0 * 1024.0), 0.0);
    // The legend shows the current value with its unit.
    QCOMPARE(io->graph(0)->name(), QStringLiteral("Dataset reads: 3 MiB/s"));
    QCOMPARE(graphs.chart(Chart::Cpu)->graph(0)->name(),
        QStringLiteral("vCPU: %1 %").arg(QString::number(*sampleAt(59).cpuPercent, 'f', 0)));
}

void SessionGraphsTest::replotsAtMostOncePerSecond()
{
    SessionGraphs graphs;
    graphs.resize(800, 500);
    graphs.show();
    QVERIFY(QTest::qWaitForWindowExposed(&graphs));
    QSignalSpy replots(graphs.chart(Chart::Cpu), &QCustomPlot::afterReplot);
    graphs.addSample(sampleAt(0));
    QVERIFY(replots.wait(2000));
    const qsizetype afterFirst = replots.count();
    // A burst (a history catching up) right after a replot waits for the next second.
    for (int second = 1; second < 50; ++second) {
        graphs.addSample(sampleAt(second));
    }
    QCoreApplication::processEvents();
    QCOMPARE(replots.count(), afterFirst);
    QVERIFY(replots.wait(3000));
    QCOMPARE(replots.count(), afterFirst + 1);
    QCOMPARE(graphs.values(Series::CpuPercent).size(), 50);
}

void SessionGraphsTest::drawsTheCurves()
{
    for (const bool dark : {false, true}) {
        SessionGraphs graphs;
        if (dark) {
            QPalette palette;
            palette.setColor(QPalette::Window, QColor(0x20, 0x23, 0x26));
            palette.setColor(QPalette::Base, QColor(0x14, 0x16, 0x18));
            palette.setColor(QPalette::WindowText, QColor(0xfc, 0xfc, 0xfc));
            palette.setColor(QPalette::Text, QColor(0xfc, 0xfc, 0xfc));
            graphs.setPalette(palette);
        }
        graphs.resize(900, 520);
        graphs.show();
        QVERIFY(QTest::qWaitForWindowExposed(&graphs));
        QList<GraphSample> history;
        for (int second = 0; second < 400; ++second) {
            GraphSample sample = sampleAt(second);
            if (second > 200 && second < 215) {
                sample.cpuPercent.reset(); // a gap the user can see
            }
            history.append(sample);
        }
        QSignalSpy replots(graphs.chart(Chart::Cpu), &QCustomPlot::afterReplot);
        graphs.setSamples(history);
        QVERIFY(replots.wait(3000));
        const QImage image = graphs.grab().toImage();
        const QImage cpu = graphs.chart(Chart::Cpu)->grab().toImage();
        QVERIFY(pixelsNear(cpu, SessionGraphs::colorOf(Series::CpuPercent)) > 200);
        QVERIFY(
            pixelsNear(image, SessionGraphs::colorOf(Series::ScratchWriteBytesPerSecond)) > 100);
        QVERIFY(pixelsNear(image, SessionGraphs::colorOf(Series::Load1)) > 100);
        const QString path = QCoreApplication::applicationDirPath() +
            (dark ? QStringLiteral("/graphs-session-dark.png")
                  : QStringLiteral("/graphs-session.png"));
        QVERIFY(image.save(path));
        qInfo("screenshot: %s", qPrintable(path));
    }
}

QTEST_MAIN(SessionGraphsTest)
#include "tst_graphs_session.moc"
