// Sparkline: the session list's CPU column.
#include "Sparkline.h"

#include <cmath>
#include <limits>

#include <QCoreApplication>
#include <QImage>
#include <QTest>

using ui::Sparkline;

namespace {

bool columnHasColor(const QImage& image, int x, const QColor& color)
{
    for (int y = 0; y < image.height(); ++y) {
        const QColor pixel = image.pixelColor(x, y);
        if (std::abs(pixel.red() - color.red()) < 40 &&
            std::abs(pixel.green() - color.green()) < 40 &&
            std::abs(pixel.blue() - color.blue()) < 40) {
            return true;
        }
    }
    return false;
}

} // namespace

class SparklineTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keepsTheLastSixty();
    void drawsLineWithGaps();
    void highValuesDrawHigher();
};

void SparklineTest::keepsTheLastSixty()
{
    Sparkline sparkline;
    for (int value = 0; value < 100; ++value) {
        sparkline.addValue(value);
    }
    QCOMPARE(sparkline.values().size(), Sparkline::maximumValues);
    QCOMPARE(sparkline.values().first(), 40.0);
    QCOMPARE(sparkline.values().last(), 99.0);
    QList<double> many(200, 5.0);
    many.last() = 7.0;
    sparkline.setValues(many);
    QCOMPARE(sparkline.values().size(), Sparkline::maximumValues);
    QCOMPARE(sparkline.values().last(), 7.0);
}

void SparklineTest::drawsLineWithGaps()
{
    Sparkline sparkline;
    const QColor color(0xda, 0x44, 0x53);
    sparkline.setColor(color);
    sparkline.resize(120 + 2, 24); // 118 px of drawing area after the 1 px margins: 2 px a value
    sparkline.setPalette(QPalette(Qt::white));
    sparkline.setAutoFillBackground(true);
    QList<double> values;
    for (int index = 0; index < Sparkline::maximumValues; ++index) {
        values.append(index >= 20 && index < 30 ? std::numeric_limits<double>::quiet_NaN()
                                                : 50.0 + index % 7);
    }
    sparkline.setValues(values);
    const QImage image = sparkline.grab().toImage();
    const auto xOf = [](int index) {
        return 1 + 2 * index;
    };
    QVERIFY(columnHasColor(image, xOf(10), color));
    QVERIFY(columnHasColor(image, xOf(50), color));
    QVERIFY(!columnHasColor(image, xOf(25), color)); // the gap
    const QString path =
        QCoreApplication::applicationDirPath() + QStringLiteral("/graphs-sparkline.png");
    QVERIFY(image.scaled(image.size() * 4).save(path));
    qInfo("screenshot: %s", qPrintable(path));
}

void SparklineTest::highValuesDrawHigher()
{
    Sparkline low;
    Sparkline high;
    for (Sparkline* sparkline : {&low, &high}) {
        sparkline->resize(122, 40);
        sparkline->setPalette(QPalette(Qt::white));
        sparkline->setAutoFillBackground(true);
    }
    low.setValues(QList<double>(60, 10.0));
    high.setValues(QList<double>(60, 90.0));
    const auto topmostLine = [](const QImage& image) {
        for (int y = 0; y < image.height(); ++y) {
            if (image.pixelColor(60, y).blue() > image.pixelColor(60, y).red() + 60) {
                return y;
            }
        }
        return image.height();
    };
    QVERIFY(topmostLine(high.grab().toImage()) + 20 < topmostLine(low.grab().toImage()));
}

QTEST_MAIN(SparklineTest)
#include "tst_graphs_sparkline.moc"
