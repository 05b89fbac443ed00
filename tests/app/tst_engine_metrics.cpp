// MetricsHistory: cumulative counters become per-second rates for the session's graphs; missing
// seconds are gaps (NaN: a break in the line, never a fake zero); a counter going backwards
// gives an unknown rate, not a spike; ten minutes is the window.

#include "MetricsHistory.h"
#include "control/HostMetrics.h"
#include "protocol/GuestMetrics.h"

#include <cmath>

#include <QTest>

namespace {
constexpr quint64 kSecondNs = 1'000'000'000;

app::MetricsSample sampleAt(qint64 second, quint64 vcpu0Ns, quint64 vcpu1Ns,
    quint64 datasetRead = 0, quint64 scratchWritten = 0)
{
    app::MetricsSample sample;
    sample.timestampMs = second * 1000;
    sample.vcpuTimeNs = {{0, vcpu0Ns}, {1, vcpu1Ns}};
    sample.datasetBytesRead = datasetRead;
    sample.scratchBytesWritten = scratchWritten;
    return sample;
}
} // namespace

class EngineMetricsTest : public QObject {
    Q_OBJECT

private slots:
    void countersBecomeRates()
    {
        app::MetricsHistory history;
        history.add(sampleAt(10, 0, 0, 1000, 0));
        auto first = history.latest();
        QVERIFY(first);
        QVERIFY2(std::isnan(first->cpuPercent), "no baseline yet: unknown, not zero");
        // One vCPU fully busy for the second, the other idle: 50 % of two vCPUs.
        history.add(sampleAt(11, kSecondNs, 0, 1000 + 4096, 1 << 20));
        auto second = history.latest();
        QCOMPARE(second->second, qint64(11));
        QCOMPARE(second->cpuPercent, 50.0);
        QCOMPARE(second->datasetReadBytesPerSecond, 4096.0);
        QCOMPARE(second->scratchWriteBytesPerSecond, double(1 << 20));
        // Two seconds later (one sample missed): the rate is over the real interval.
        history.add(sampleAt(13, 3 * kSecondNs, 2 * kSecondNs, 1000 + 4096, 1 << 20));
        QCOMPARE(history.latest()->cpuPercent, 100.0);
        QCOMPARE(history.latest()->datasetReadBytesPerSecond, 0.0);
    }

    void guestGaugesComeFromTheAgentOrAreUnknown()
    {
        app::MetricsHistory history;
        app::MetricsSample withAgent = sampleAt(1, 0, 0);
        withAgent.guestMemoryUsedBytes = 100 << 20;
        withAgent.guestMemoryTotalBytes = 480 << 20;
        withAgent.guestLoad = 0.75;
        history.add(withAgent);
        QCOMPARE(history.latest()->memoryUsedBytes, double(100 << 20));
        QCOMPARE(history.latest()->memoryTotalBytes, double(480 << 20));
        QCOMPARE(history.latest()->load, 0.75);
        history.add(sampleAt(2, 0, 0));
        QVERIFY(std::isnan(history.latest()->memoryUsedBytes));
        QVERIFY(std::isnan(history.latest()->load));
    }

    void missingSecondsAreGapsNotZeros()
    {
        app::MetricsHistory history;
        history.add(sampleAt(5, 0, 0));
        history.add(sampleAt(9, kSecondNs, kSecondNs));
        QList<app::MetricsPoint> points = history.points();
        QCOMPARE(points.size(), 5);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(points[i].second, qint64(5 + i));
        for (int i = 1; i <= 3; ++i) {
            QVERIFY(std::isnan(points[i].cpuPercent));
            QVERIFY(std::isnan(points[i].datasetReadBytesPerSecond));
            QVERIFY(std::isnan(points[i].memoryUsedBytes));
        }
        QCOMPARE(points[4].cpuPercent, 25.0); // 2 s of vCPU time over 4 s and two vCPUs
    }

    void aCounterGoingBackwardsIsUnknownNotASpike()
    {
        app::MetricsHistory history;
        history.add(sampleAt(1, 5 * kSecondNs, 5 * kSecondNs, 1 << 30, 1 << 30));
        history.add(sampleAt(2, kSecondNs / 2, 5 * kSecondNs, 10, 1 << 30));
        auto reset = history.latest();
        QVERIFY(std::isnan(reset->cpuPercent));
        QVERIFY(std::isnan(reset->datasetReadBytesPerSecond));
        QCOMPARE(reset->scratchWriteBytesPerSecond, 0.0);
        // The reset values are the new baseline.
        history.add(sampleAt(3, kSecondNs / 2 + kSecondNs, 6 * kSecondNs, 10 + 512, 1 << 30));
        QCOMPARE(history.latest()->cpuPercent, 100.0);
        QCOMPARE(history.latest()->datasetReadBytesPerSecond, 512.0);
    }

    void usageNeverLeavesZeroToHundred()
    {
        app::MetricsHistory history;
        history.add(sampleAt(1, 0, 0));
        history.add(sampleAt(2, 50 * kSecondNs, 50 * kSecondNs)); // a hostile engine's numbers
        QCOMPARE(history.latest()->cpuPercent, 100.0);
    }

    void tenMinutesWrapAround()
    {
        app::MetricsHistory history;
        for (qint64 second = 0; second < 700; ++second)
            history.add(sampleAt(second, quint64(second) * kSecondNs / 2, 0, 0, 0));
        QCOMPARE(history.size(), app::MetricsHistory::kCapacity);
        QList<app::MetricsPoint> points = history.points();
        QCOMPARE(points.size(), 600);
        QCOMPARE(points.first().second, qint64(100));
        QCOMPARE(points.last().second, qint64(699));
        for (int i = 1; i < points.size(); ++i)
            QCOMPARE(points[i].second, points[i - 1].second + 1);
        QCOMPARE(points.last().cpuPercent, 25.0);
    }

    void aGapLongerThanTheWindowLeavesOnlyTheWindow()
    {
        app::MetricsHistory history;
        history.add(sampleAt(0, 0, 0));
        history.add(sampleAt(5000, kSecondNs, 0));
        QList<app::MetricsPoint> points = history.points();
        QCOMPARE(points.size(), 600);
        QCOMPARE(points.first().second, qint64(4401));
        QCOMPARE(points.last().second, qint64(5000));
        QVERIFY(std::isnan(points.first().cpuPercent));
    }

    void duplicatesAreIgnoredAndTimeGoingBackStartsAfresh()
    {
        app::MetricsHistory history;
        history.add(sampleAt(1, 0, 0));
        history.add(sampleAt(2, kSecondNs, 0));
        app::MetricsSample sameSecond = sampleAt(2, 9 * kSecondNs, 0);
        sameSecond.timestampMs += 400;
        history.add(sameSecond);
        QCOMPARE(history.size(), 2);
        QCOMPARE(history.latest()->cpuPercent, 50.0);
        history.add(sampleAt(0, 0, 0)); // another engine: uptime restarted
        QCOMPARE(history.size(), 1);
        QCOMPARE(history.latest()->second, qint64(0));
    }

    void aSampleSumsTheDatasetDisksAndTakesTheScratchWrites()
    {
        vmm::HostMetrics host;
        host.uptimeMs = 12'345;
        host.vcpus = {{0, 111}, {3, 333}};
        host.disks.push_back({"dataset scans", 1000, 1, 0, 0, 0, 0});
        host.disks.push_back({"dataset notes", 24, 1, 0, 0, 0, 0});
        host.disks.push_back({"scratch", 7, 1, 4096, 2, 0, 0});
        vmm::GuestMetrics guest;
        guest.memoryTotalBytes = 1000;
        guest.memoryUsedBytes = 400;
        guest.load1 = 1.5;
        app::MetricsSample sample = app::MetricsSample::fromMetrics(host, guest);
        QCOMPARE(sample.timestampMs, qint64(12'345));
        QCOMPARE(sample.vcpuTimeNs.value(3), quint64(333));
        QCOMPARE(sample.datasetBytesRead, quint64(1024));
        QCOMPARE(sample.scratchBytesWritten, quint64(4096));
        QCOMPARE(sample.guestMemoryUsedBytes.value_or(0), quint64(400));
        QCOMPARE(sample.guestLoad.value_or(0), 1.5);
        QVERIFY(!app::MetricsSample::fromMetrics(host, std::nullopt).guestMemoryUsedBytes);
    }
};

QTEST_GUILESS_MAIN(EngineMetricsTest)
#include "tst_engine_metrics.moc"
