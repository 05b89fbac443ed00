// ui::DisplayView against a scripted RFB server: view only by default, control taken with the
// action and released with Ctrl+Alt, pointer mapping through the letterbox, full screen, keysyms.

#include "DisplayConnection.h"
#include "DisplaySurface.h"
#include "DisplayView.h"
#include "KeysymFromQt.h"
#include "tst_display_server.h"

#include <QAction>
#include <QSignalSpy>
#include <QTest>

using displaytest::ClientEvent;
using displaytest::FakeServer;

namespace {

QImage grey(int width, int height)
{
    QImage image(width, height, QImage::Format_RGB32);
    image.fill(qRgb(90, 90, 90));
    return image;
}

QList<ClientEvent> keyEvents(const QList<ClientEvent>& events)
{
    QList<ClientEvent> keys;
    for (const ClientEvent& event : events)
        if (event.isKey)
            keys.append(event);
    return keys;
}

QList<ClientEvent> pointerEvents(const QList<ClientEvent>& events)
{
    QList<ClientEvent> pointers;
    for (const ClientEvent& event : events)
        if (!event.isKey)
            pointers.append(event);
    return pointers;
}

} // namespace

class DisplayViewTest : public QObject {
    Q_OBJECT

private:
    /// A view of a 320x200 server, shown 900 wide so the frame is letterboxed left and right.
    struct Fixture {
        FakeServer server;
        app::DisplayConnection connection {server.connector()};
        ui::DisplayView view {&connection};
    };

    static bool open(Fixture& fixture)
    {
        fixture.server.start(displaytest::handshake(320, 200, "d") + displaytest::updateHeader(1) +
                displaytest::rawRectangle(0, 0, grey(320, 200)),
            false);
        QSignalSpy connected(&fixture.connection, &app::DisplayConnection::connected);
        fixture.view.resize(900, 400);
        fixture.view.show();
        fixture.connection.start();
        return connected.wait(5000) && QTest::qWaitForWindowExposed(&fixture.view);
    }

private slots:
    void showsStatusUntilConnected()
    {
        Fixture fixture;
        QCOMPARE(fixture.view.surface()->statusText(),
            QStringLiteral("Connecting to the session's display…"));
        fixture.view.setInControl(true); // nothing to control yet
        QVERIFY(!fixture.view.isInControl());
        QVERIFY(!fixture.view.takeControlAction()->isChecked());
        QVERIFY(open(fixture));
        QVERIFY(fixture.view.surface()->statusText().isEmpty());
    }

    void showsTheFailureText()
    {
        FakeServer server;
        server.start(QByteArray("not a VNC server at all\n"), true);
        app::DisplayConnection connection(server.connector());
        ui::DisplayView view(&connection);
        QSignalSpy failed(&connection, &app::DisplayConnection::failed);
        connection.start();
        QVERIFY(failed.wait(5000));
        QCOMPARE(view.surface()->statusText(), failed.at(0).at(0).toString());
    }

    void viewOnlyDropsInputUntilControlIsTaken()
    {
        Fixture fixture;
        QVERIFY(open(fixture));
        ui::DisplaySurface* surface = fixture.view.surface();
        const QPoint centre = surface->rect().center();
        QVERIFY(!fixture.view.isInControl());
        QTest::keyClick(surface, Qt::Key_X);
        QTest::mouseClick(surface, Qt::LeftButton, {}, centre);
        QTest::mouseMove(surface, centre + QPoint(5, 5));

        fixture.view.takeControlAction()->trigger();
        QVERIFY(fixture.view.isInControl());
        QTest::keyClick(surface, Qt::Key_A);
        // The first key event the server sees is the A pressed after taking control.
        QTRY_COMPARE_WITH_TIMEOUT(keyEvents(fixture.server.events()).size(), 2, 5000);
        const auto keys = keyEvents(fixture.server.events());
        QCOMPARE(keys[0].keysym, 0x61u);
        QVERIFY(keys[0].down);
        QCOMPARE(keys[1].keysym, 0x61u);
        QVERIFY(!keys[1].down);
        QVERIFY(pointerEvents(fixture.server.events()).isEmpty());
    }

    void clickAtTheCentreMapsToTheFrameCentre()
    {
        Fixture fixture;
        QVERIFY(open(fixture));
        ui::DisplaySurface* surface = fixture.view.surface();
        const QRectF image = surface->imageRect();
        // Letterboxed: the 320x200 frame keeps its aspect ratio, centred, bars left and right.
        QVERIFY(image.left() > 10);
        QCOMPARE(qRound(image.width() * 200 / image.height()), 320);
        fixture.view.setInControl(true);
        // A click in the black bar is ignored; the one at the centre lands in the frame centre.
        QTest::mouseClick(surface, Qt::LeftButton, {}, QPoint(2, surface->height() / 2));
        QTest::mouseClick(surface, Qt::LeftButton, {}, image.center().toPoint());
        QTRY_COMPARE_WITH_TIMEOUT(pointerEvents(fixture.server.events()).size(), 2, 5000);
        const auto pointers = pointerEvents(fixture.server.events());
        QVERIFY2(
            qAbs(pointers[0].position.x() - 160) <= 1 && qAbs(pointers[0].position.y() - 100) <= 1,
            qPrintable(QStringLiteral("%1,%2")
                           .arg(pointers[0].position.x())
                           .arg(pointers[0].position.y())));
        QCOMPARE(pointers[0].buttons, 1u);
        QCOMPARE(pointers[1].buttons, 0u);
    }

    void tabGoesToTheGuestInControl()
    {
        Fixture fixture;
        QVERIFY(open(fixture));
        fixture.view.setInControl(true);
        QTest::keyClick(fixture.view.surface(), Qt::Key_Tab);
        QTRY_COMPARE_WITH_TIMEOUT(keyEvents(fixture.server.events()).size(), 2, 5000);
        QCOMPARE(keyEvents(fixture.server.events())[0].keysym, 0xff09u);
        QVERIFY(fixture.view.isInControl());
    }

    void controlAltReleasesControl()
    {
        Fixture fixture;
        QVERIFY(open(fixture));
        ui::DisplaySurface* surface = fixture.view.surface();
        fixture.view.setInControl(true);
        QSignalSpy changed(&fixture.view, &ui::DisplayView::controlChanged);

        // Ctrl+Alt+Delete is for the guest: control stays.
        QTest::keyPress(surface, Qt::Key_Control);
        QTest::keyPress(surface, Qt::Key_Alt, Qt::ControlModifier);
        QTest::keyClick(surface, Qt::Key_Delete, Qt::ControlModifier | Qt::AltModifier);
        QTest::keyRelease(surface, Qt::Key_Alt, Qt::ControlModifier);
        QTest::keyRelease(surface, Qt::Key_Control);
        QVERIFY(fixture.view.isInControl());

        // Ctrl+Alt alone gives the keyboard back, and the guest sees both keys released.
        QTest::keyPress(surface, Qt::Key_Control);
        QTest::keyPress(surface, Qt::Key_Alt, Qt::ControlModifier);
        QTest::keyRelease(surface, Qt::Key_Alt, Qt::ControlModifier);
        QVERIFY(!fixture.view.isInControl());
        QVERIFY(!fixture.view.takeControlAction()->isChecked());
        QCOMPARE(changed.size(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!keyEvents(fixture.server.events()).isEmpty() &&
                !keyEvents(fixture.server.events()).last().down,
            5000);
        bool controlUp = false;
        bool altUp = false;
        const auto keys = keyEvents(fixture.server.events());
        for (qsizetype index = keys.size() - 2; index < keys.size(); ++index) {
            controlUp |= keys[index].keysym == 0xffe3 && !keys[index].down;
            altUp |= keys[index].keysym == 0xffe9 && !keys[index].down;
        }
        QTRY_VERIFY_WITH_TIMEOUT(keyEvents(fixture.server.events()).size() == keys.size(), 1000);
        QVERIFY(controlUp);
        QVERIFY(altUp);
    }

    void fullScreenToggles()
    {
        Fixture fixture;
        QVERIFY(open(fixture));
        ui::DisplaySurface* surface = fixture.view.surface();
        fixture.view.fullScreenAction()->trigger();
        QVERIFY(fixture.view.isFullScreenShown());
        QVERIFY(surface->window() != fixture.view.window());
        QVERIFY(surface->window()->isFullScreen());
        fixture.view.fullScreenAction()->trigger();
        QVERIFY(!fixture.view.isFullScreenShown());
        QCOMPARE(surface->parentWidget(), &fixture.view);
        QVERIFY(surface->isVisible());
    }

    void keysymMapping_data()
    {
        QTest::addColumn<int>("key");
        QTest::addColumn<int>("modifiers");
        QTest::addColumn<QString>("text");
        QTest::addColumn<quint32>("scanCode");
        QTest::addColumn<quint32>("keysym");
        QTest::newRow("a") << int(Qt::Key_A) << 0 << "a" << 0u << 0x61u;
        QTest::newRow("shift A") << int(Qt::Key_A) << int(Qt::ShiftModifier) << "A" << 0u << 0x41u;
        QTest::newRow("ctrl c (control text)")
            << int(Qt::Key_C) << int(Qt::ControlModifier) << "\x03" << 0u << 0x63u;
        QTest::newRow("7") << int(Qt::Key_7) << 0 << "7" << 0u << 0x37u;
        QTest::newRow("comma") << int(Qt::Key_Comma) << 0 << "," << 0u << 0x2cu;
        QTest::newRow("u umlaut") << int(Qt::Key_Udiaeresis) << 0 << "ü" << 0u << 0xfcu;
        QTest::newRow("euro") << int(Qt::Key_unknown) << 0 << "€" << 0u << 0x010020acu;
        QTest::newRow("return") << int(Qt::Key_Return) << 0 << "\r" << 0u << 0xff0du;
        QTest::newRow("backspace") << int(Qt::Key_Backspace) << 0 << "\b" << 0u << 0xff08u;
        QTest::newRow("escape") << int(Qt::Key_Escape) << 0 << "\x1b" << 0u << 0xff1bu;
        QTest::newRow("delete") << int(Qt::Key_Delete) << 0 << "\x7f" << 0u << 0xffffu;
        QTest::newRow("page down") << int(Qt::Key_PageDown) << 0 << "" << 0u << 0xff56u;
        QTest::newRow("left") << int(Qt::Key_Left) << 0 << "" << 0u << 0xff51u;
        QTest::newRow("F1") << int(Qt::Key_F1) << 0 << "" << 0u << 0xffbeu;
        QTest::newRow("F12") << int(Qt::Key_F12) << 0 << "" << 0u << 0xffc9u;
        QTest::newRow("space") << int(Qt::Key_Space) << 0 << " " << 0u << 0x20u;
        QTest::newRow("left shift") << int(Qt::Key_Shift) << 0 << "" << 50u << 0xffe1u;
        QTest::newRow("right shift") << int(Qt::Key_Shift) << 0 << "" << 62u << 0xffe2u;
        QTest::newRow("right control") << int(Qt::Key_Control) << 0 << "" << 105u << 0xffe4u;
        QTest::newRow("control, no scan code") << int(Qt::Key_Control) << 0 << "" << 0u << 0xffe3u;
        QTest::newRow("right alt") << int(Qt::Key_Alt) << 0 << "" << 108u << 0xffeau;
        QTest::newRow("unknown") << int(Qt::Key_unknown) << 0 << "" << 0u << 0u;
    }

    void keysymMapping()
    {
        QFETCH(int, key);
        QFETCH(int, modifiers);
        QFETCH(QString, text);
        QFETCH(quint32, scanCode);
        QFETCH(quint32, keysym);
        QCOMPARE(ui::keysymFromQt(key, Qt::KeyboardModifiers(modifiers), text, scanCode), keysym);
    }
};

QTEST_MAIN(DisplayViewTest)
#include "tst_display_view.moc"
