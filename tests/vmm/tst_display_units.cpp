// The display server's pure parts: X keysyms to evdev codes, and the shadow framebuffer that
// turns dirty pages into the rectangles that really changed.

#include "display/KeysymMap.h"
#include "display/ShadowFramebuffer.h"

#include <cstring>

#include <linux/input-event-codes.h>

#include <QTest>

using namespace vmm;

class DisplayUnitsTest : public QObject {
    Q_OBJECT

private slots:
    void keysymsMapToUsKeys_data()
    {
        QTest::addColumn<uint32_t>("keysym");
        QTest::addColumn<int>("code");
        QTest::newRow("a") << uint32_t('a') << KEY_A;
        QTest::newRow("A") << uint32_t('A') << KEY_A;
        QTest::newRow("z") << uint32_t('z') << KEY_Z;
        QTest::newRow("Q") << uint32_t('Q') << KEY_Q;
        QTest::newRow("0") << uint32_t('0') << KEY_0;
        QTest::newRow("9") << uint32_t('9') << KEY_9;
        QTest::newRow("!") << uint32_t('!') << KEY_1;
        QTest::newRow("@") << uint32_t('@') << KEY_2;
        QTest::newRow(")") << uint32_t(')') << KEY_0;
        QTest::newRow("_") << uint32_t('_') << KEY_MINUS;
        QTest::newRow("+") << uint32_t('+') << KEY_EQUAL;
        QTest::newRow("{") << uint32_t('{') << KEY_LEFTBRACE;
        QTest::newRow("|") << uint32_t('|') << KEY_BACKSLASH;
        QTest::newRow(":") << uint32_t(':') << KEY_SEMICOLON;
        QTest::newRow("\"") << uint32_t('"') << KEY_APOSTROPHE;
        QTest::newRow("?") << uint32_t('?') << KEY_SLASH;
        QTest::newRow("~") << uint32_t('~') << KEY_GRAVE;
        QTest::newRow("space") << uint32_t(' ') << KEY_SPACE;
        QTest::newRow("Return") << 0xff0du << KEY_ENTER;
        QTest::newRow("BackSpace") << 0xff08u << KEY_BACKSPACE;
        QTest::newRow("Tab") << 0xff09u << KEY_TAB;
        QTest::newRow("Escape") << 0xff1bu << KEY_ESC;
        QTest::newRow("Delete") << 0xffffu << KEY_DELETE;
        QTest::newRow("Home") << 0xff50u << KEY_HOME;
        QTest::newRow("End") << 0xff57u << KEY_END;
        QTest::newRow("Page_Up") << 0xff55u << KEY_PAGEUP;
        QTest::newRow("Page_Down") << 0xff56u << KEY_PAGEDOWN;
        QTest::newRow("Left") << 0xff51u << KEY_LEFT;
        QTest::newRow("Up") << 0xff52u << KEY_UP;
        QTest::newRow("Right") << 0xff53u << KEY_RIGHT;
        QTest::newRow("Down") << 0xff54u << KEY_DOWN;
        QTest::newRow("Insert") << 0xff63u << KEY_INSERT;
        QTest::newRow("F1") << 0xffbeu << KEY_F1;
        QTest::newRow("F10") << 0xffc7u << KEY_F10;
        QTest::newRow("F12") << 0xffc9u << KEY_F12;
        QTest::newRow("Shift_L") << 0xffe1u << KEY_LEFTSHIFT;
        QTest::newRow("Shift_R") << 0xffe2u << KEY_RIGHTSHIFT;
        QTest::newRow("Control_L") << 0xffe3u << KEY_LEFTCTRL;
        QTest::newRow("Control_R") << 0xffe4u << KEY_RIGHTCTRL;
        QTest::newRow("Caps_Lock") << 0xffe5u << KEY_CAPSLOCK;
        QTest::newRow("Meta_L") << 0xffe7u << KEY_LEFTMETA;
        QTest::newRow("Alt_L") << 0xffe9u << KEY_LEFTALT;
        QTest::newRow("Alt_R") << 0xffeau << KEY_RIGHTALT;
        QTest::newRow("Super_L") << 0xffebu << KEY_LEFTMETA;
        QTest::newRow("Super_R") << 0xffecu << KEY_RIGHTMETA;
    }

    void keysymsMapToUsKeys()
    {
        QFETCH(uint32_t, keysym);
        QFETCH(int, code);
        std::optional<uint16_t> mapped = evdevCodeForKeysym(keysym);
        QVERIFY(mapped);
        QCOMPARE(int(*mapped), code);
    }

    void unknownKeysymsMapToNothing()
    {
        for (uint32_t keysym : {0u, 0x7fu, 0xe9u /* eacute */, 0x20acu /* EuroSign */,
                 0xfe50u /* dead_grave */, 0x1008ff11u /* XF86AudioLowerVolume */, 0xffffffffu})
            QVERIFY2(!evdevCodeForKeysym(keysym), qPrintable(QString::number(keysym, 16)));
    }

    void theShadowReportsOnlyRealChanges()
    {
        FramebufferGeometry geometry =
            FramebufferGeometry::make(320, 200).value(); // 1280-byte rows
        auto created = ShadowFramebuffer::create(geometry);
        QVERIFY(created);
        ShadowFramebuffer& shadow = *created;
        std::vector<uint8_t> pixels(geometry.pixelBytes(), 0);

        // Everything dirty but all black, like the shadow: nothing changed.
        shadow.markAllDirty();
        QVERIFY(shadow.update(pixels).empty());

        // Two pixels in row 10 (page 3 holds rows 9.6 .. 12.8): one rectangle, trimmed to them.
        uint32_t red = 0x00ff0000;
        std::memcpy(&pixels[10 * 1280 + 20 * 4], &red, 4);
        std::memcpy(&pixels[10 * 1280 + 30 * 4], &red, 4);
        shadow.dirtyPages()[0] = uint64_t {1} << 3;
        auto changed = shadow.update(pixels);
        QCOMPARE(changed.size(), size_t(1));
        QCOMPARE(changed[0].x, 20u);
        QCOMPARE(changed[0].width, 11u);
        QCOMPARE(changed[0].y, 10u);
        QCOMPARE(changed[0].height, 1u);
        QVERIFY(std::memcmp(shadow.data(), pixels.data(), pixels.size()) == 0);

        // The same page again, same bytes: nothing.
        shadow.dirtyPages()[0] = uint64_t {1} << 3;
        QVERIFY(shadow.update(pixels).empty());

        // A change on a page that was not marked is not seen (the source's dirty log decides).
        std::memcpy(&pixels[100 * 1280], &red, 4);
        QVERIFY(shadow.update(pixels).empty());
        QCOMPARE(shadow.data()[100 * 1280 + 2], uint8_t(0));

        // Rows far apart make separate rectangles; rows close together merge.
        std::memcpy(&pixels[0], &red, 4);
        std::memcpy(&pixels[5 * 1280], &red, 4);
        std::memcpy(&pixels[199 * 1280 + 319 * 4], &red, 4);
        shadow.markAllDirty();
        changed = shadow.update(pixels);
        QCOMPARE(changed.size(), size_t(3)); // rows 0..5, row 100, row 199
        QCOMPARE(changed[0].y, 0u);
        QCOMPARE(changed[0].height, 6u);
        QCOMPARE(changed[1].y, 100u);
        QCOMPARE(changed[2].y, 199u);
        QCOMPARE(changed[2].x, 319u);
        QCOMPARE(changed[2].width, 1u);
        QVERIFY(std::memcmp(shadow.data(), pixels.data(), pixels.size()) == 0);

        // A source shorter than its geometry is read as far as it goes.
        shadow.markAllDirty();
        std::vector<uint8_t> shortSource(1000, 0xff);
        QVERIFY(shadow.update(shortSource).empty());
    }
};

QTEST_GUILESS_MAIN(DisplayUnitsTest)
#include "tst_display_units.moc"
