// app::DisplayConnection against scripted RFB servers: a good one (the frame matches pixel for
// pixel, input reaches the server) and malformed ones (each ends in failed(), never a crash).

#include "DisplayConnection.h"
#include "tst_display_server.h"

#include <QSignalSpy>
#include <QTest>

using displaytest::FakeServer;

namespace {

QImage pattern(int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.setPixel(x, y, qRgb(x & 0xff, y & 0xff, (x * 7 + y * 3) & 0xff));
    return image;
}

const QString unreadablePrefix =
    QStringLiteral("The session's display sent data Airlock cannot show");

} // namespace

class DisplayConnectionTest : public QObject {
    Q_OBJECT

private slots:
    void goodServerFrameMatchesPixelForPixel()
    {
        FakeServer server;
        const QImage first = pattern(320, 200);
        server.start(displaytest::handshake(320, 200, "Session desktop") +
                displaytest::updateHeader(1) + displaytest::rawRectangle(0, 0, first),
            false);
        app::DisplayConnection connection(server.connector());
        QSignalSpy connected(&connection, &app::DisplayConnection::connected);
        QSignalSpy failed(&connection, &app::DisplayConnection::failed);
        connection.start();
        QVERIFY(connected.wait(5000));
        QCOMPARE(connected.at(0).at(0).toSize(), QSize(320, 200));
        QCOMPARE(connected.at(0).at(1).toString(), QStringLiteral("Session desktop"));
        QCOMPARE(connection.frameSize(), QSize(320, 200));
        QTRY_VERIFY_WITH_TIMEOUT(connection.frame() == first, 5000);

        // A second, partial update changes only its rectangle.
        QImage patch(30, 40, QImage::Format_RGB32);
        patch.fill(qRgb(0x12, 0x34, 0x56));
        patch.setPixel(29, 39, qRgb(0xfe, 0xdc, 0xba));
        server.write(displaytest::updateHeader(1) + displaytest::rawRectangle(10, 20, patch));
        QImage expected = first;
        for (int y = 0; y < 40; ++y)
            for (int x = 0; x < 30; ++x)
                expected.setPixel(10 + x, 20 + y, patch.pixel(x, y));
        QTRY_VERIFY_WITH_TIMEOUT(connection.frame() == expected, 5000);
        QVERIFY(failed.isEmpty());
        QCOMPARE(connection.frame().format(), QImage::Format_RGB32);
    }

    void frameUpdatedCoversTheChangedArea()
    {
        FakeServer server;
        QImage patch(16, 8, QImage::Format_RGB32);
        patch.fill(qRgb(200, 10, 10));
        server.start(displaytest::handshake(64, 48, "d") + displaytest::updateHeader(1) +
                displaytest::rawRectangle(5, 6, patch),
            false);
        app::DisplayConnection connection(server.connector());
        QSignalSpy updated(&connection, &app::DisplayConnection::frameUpdated);
        connection.start();
        QVERIFY(updated.wait(5000));
        QVERIFY(updated.at(0).at(0).toRect().contains(QRect(5, 6, 16, 8)));
        QCOMPARE(connection.frame().pixel(5, 6), qRgb(200, 10, 10));
        QCOMPARE(connection.frame().pixel(4, 6), qRgb(0, 0, 0));
    }

    void inputReachesTheServerClampedToTheFrame()
    {
        FakeServer server;
        server.start(displaytest::handshake(320, 200, "d"), false);
        app::DisplayConnection connection(server.connector());
        QSignalSpy connected(&connection, &app::DisplayConnection::connected);
        connection.start();
        QVERIFY(connected.wait(5000));
        connection.sendKey(0x61, true);
        connection.sendKey(0x61, false);
        connection.sendPointer(QPoint(5000, 10), 1);
        QTRY_COMPARE_WITH_TIMEOUT(server.events().size(), 3, 5000);
        const auto events = server.events();
        QVERIFY(events[0].isKey && events[0].keysym == 0x61 && events[0].down);
        QVERIFY(events[1].isKey && events[1].keysym == 0x61 && !events[1].down);
        QVERIFY(!events[2].isKey);
        QCOMPARE(events[2].position, QPoint(319, 10));
        QCOMPARE(events[2].buttons, 1u);
    }

    void cleanCloseIsADisconnectNotAFailure()
    {
        FakeServer server;
        server.start(displaytest::handshake(320, 200, "d"), true);
        app::DisplayConnection connection(server.connector());
        QSignalSpy disconnected(&connection, &app::DisplayConnection::disconnected);
        QSignalSpy failed(&connection, &app::DisplayConnection::failed);
        connection.start();
        QVERIFY(disconnected.wait(5000));
        QVERIFY(failed.isEmpty());
    }

    void connectorFailureIsReported()
    {
        app::DisplayConnection connection(
            []() -> app::Result<int> { return app::failure(QStringLiteral("no stream")); });
        QSignalSpy failed(&connection, &app::DisplayConnection::failed);
        connection.start();
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("no stream"));
    }

    void stopEndsAStalledHandshake()
    {
        FakeServer server;
        server.start(QByteArray("RFB 003.0"), false); // then silence
        app::DisplayConnection connection(server.connector());
        QSignalSpy disconnected(&connection, &app::DisplayConnection::disconnected);
        connection.start();
        connection.stop();
        QCOMPARE(disconnected.size(), 1);
        connection.stop();
        QCOMPARE(disconnected.size(), 1);
    }

    void malformedServerFails_data()
    {
        QTest::addColumn<QByteArray>("script");
        using namespace displaytest;
        const QByteArray good = handshake(320, 200, "d");

        QTest::newRow("bad version") << QByteArray("HTTP/1.1 200 OK\r\n\r\n");
        QByteArray refused("RFB 003.008\n");
        refused.append(char(0)); // no security types: a reason follows
        appendU32(refused, 0xffffffffu);
        QTest::newRow("zero security types, huge reason") << refused;
        QTest::newRow("65535x65535") << handshake(65535, 65535, "d");
        QTest::newRow("name length 0xFFFFFFFF") << handshake(320, 200, "d", 0xffffffffLL);
        QTest::newRow("raw rectangle outside the frame") << good + updateHeader(1) +
                rectangleHeader(300, 0, 100, 10, 0) + QByteArray(100 * 10 * 4, '\x7f');
        QByteArray copy = good + updateHeader(1) + rectangleHeader(0, 0, 10, 10, 1);
        appendU16(copy, 315); // source x: its rectangle ends past the 320-pixel width
        appendU16(copy, 0);
        QTest::newRow("copyrect source outside the frame") << copy;
        QTest::newRow("65535 rectangles then EOF") << good + updateHeader(65535);
        QTest::newRow("unknown encoding")
            << good + updateHeader(1) + rectangleHeader(0, 0, 10, 10, 0x7fff0001);
        QTest::newRow("garbage after the handshake")
            << good + QByteArray::fromHex("deadbeefcafebabe0badf00d");
        QTest::newRow("garbage instead of a server")
            << QByteArray::fromHex("00ff10ee20dd30cc40bb50aa60997088");
        QTest::newRow("closed mid-message") << good + updateHeader(1) +
                rectangleHeader(0, 0, 320, 200, 0) + QByteArray(320 * 100 * 4, '\x10');
    }

    void malformedServerFails()
    {
        QFETCH(QByteArray, script);
        FakeServer server;
        server.start(script, true);
        app::DisplayConnection connection(server.connector());
        QSignalSpy failed(&connection, &app::DisplayConnection::failed);
        QSignalSpy disconnected(&connection, &app::DisplayConnection::disconnected);
        connection.start();
        QVERIFY(failed.wait(5000));
        QVERIFY2(failed.at(0).at(0).toString().startsWith(unreadablePrefix),
            qPrintable(failed.at(0).at(0).toString()));
        QVERIFY(disconnected.isEmpty());
        QVERIFY(connection.frameSize().width() <= 320);
    }
};

QTEST_GUILESS_MAIN(DisplayConnectionTest)
#include "tst_display_connection.moc"
