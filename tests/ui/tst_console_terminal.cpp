// TerminalView as a VT/xterm screen: what the guest writes is what the user sees.
#include "TerminalView.h"

#include <QCoreApplication>
#include <QImage>
#include <QTest>

using ui::TerminalView;

class TerminalScreenTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void textAndAnsiColour();
    void cursorAddressing();
    void clearScreen();
    void utf8SplitAcrossFeeds();
    void indexedAndRgbColours();
    void attributes();
    void alternateScreenSwitchesBack();
    void scrollbackKeepsScrolledLines();
    void scrollbackIsCapped();
    void savesScreenshot();
};

void TerminalScreenTest::textAndAnsiColour()
{
    TerminalView view;
    view.feed("hello\r\n\x1b[31mred\x1b[0m");
    QVERIFY(view.screenText().startsWith(QStringLiteral("hello\nred\n")));
    const ui::TerminalCell red = view.cellAt(1, 0);
    QCOMPARE(red.text, QStringLiteral("r"));
    QVERIFY(!red.defaultForeground);
    QCOMPARE(red.foreground, view.colorScheme().ansi[1]);
    QVERIFY(red.foreground.red() > 2 * red.foreground.green());
    // SGR 0 ends the colour: the cell after "red" and the first line use the default.
    QVERIFY(view.cellAt(0, 0).defaultForeground);
    QCOMPARE(view.cellAt(0, 0).foreground, view.colorScheme().foreground);
    QCOMPARE(view.cursorPosition(), QPoint(3, 1));
}

void TerminalScreenTest::cursorAddressing()
{
    TerminalView view;
    view.feed("\x1b[5;10HX");
    QCOMPARE(view.cellAt(4, 9).text, QStringLiteral("X"));
    QVERIFY(view.cellAt(4, 8).text.isEmpty());
    QCOMPARE(view.cursorPosition(), QPoint(10, 4));
    // Relative moves: up 2, back 3.
    view.feed("\x1b[2A\x1b[3DY");
    QCOMPARE(view.cellAt(2, 7).text, QStringLiteral("Y"));
}

void TerminalScreenTest::clearScreen()
{
    TerminalView view;
    view.feed("line one\r\nline two\r\n");
    view.feed("\x1b[H\x1b[2J");
    QCOMPARE(view.screenText().trimmed(), QString());
    QCOMPARE(view.cursorPosition(), QPoint(0, 0));
    // Erase to end of line keeps what is before the cursor.
    view.feed("abcdef\x1b[3D\x1b[K");
    QCOMPARE(view.screenText().section(QLatin1Char('\n'), 0, 0), QStringLiteral("abc"));
}

void TerminalScreenTest::utf8SplitAcrossFeeds()
{
    TerminalView view;
    const QByteArray text = QStringLiteral("né €").toUtf8(); // 'é' is 2 bytes, '€' 3
    view.feed(text.left(2)); // "n" and the first byte of 'é'
    view.feed(text.mid(2, 3)); // the rest of 'é', space, first byte of '€'
    view.feed(text.mid(5));
    QCOMPARE(view.cellAt(0, 1).text, QStringLiteral("é"));
    QCOMPARE(view.cellAt(0, 3).text, QStringLiteral("€"));
    QVERIFY(view.screenText().startsWith(QStringLiteral("né €")));
    // A wide character takes two cells.
    view.feed("\r\n\xe7\x95\x8c|"); // U+754C then '|'
    QCOMPARE(view.cellAt(1, 0).width, 2);
    QCOMPARE(view.cellAt(1, 2).text, QStringLiteral("|"));
}

void TerminalScreenTest::indexedAndRgbColours()
{
    TerminalView view;
    view.feed("\x1b[38;5;196mA\x1b[48;5;21mB\x1b[0m\x1b[38;2;10;20;30;48;2;200;150;100mC");
    QCOMPARE(view.cellAt(0, 0).foreground, QColor(255, 0, 0)); // cube entry 5,0,0
    QCOMPARE(view.cellAt(0, 1).background, QColor(0, 0, 255)); // cube entry 0,0,5
    QVERIFY(!view.cellAt(0, 1).defaultBackground);
    QCOMPARE(view.cellAt(0, 2).foreground, QColor(10, 20, 30));
    QCOMPARE(view.cellAt(0, 2).background, QColor(200, 150, 100));
    view.feed("\x1b[0m\x1b[38;5;244mD"); // the grey ramp: a mid grey
    const QColor grey = view.cellAt(0, 3).foreground;
    QVERIFY(grey.red() == grey.green() && grey.green() == grey.blue());
    QVERIFY(grey.red() > 110 && grey.red() < 150);
}

void TerminalScreenTest::attributes()
{
    TerminalView view;
    view.feed("\x1b[1mB\x1b[22;4mU\x1b[24;7mR\x1b[27;3mI\x1b[0mN");
    QVERIFY(view.cellAt(0, 0).bold);
    QVERIFY(view.cellAt(0, 1).underline && !view.cellAt(0, 1).bold);
    QVERIFY(view.cellAt(0, 2).reverse && !view.cellAt(0, 2).underline);
    QVERIFY(view.cellAt(0, 3).italic && !view.cellAt(0, 3).reverse);
    const ui::TerminalCell plain = view.cellAt(0, 4);
    QVERIFY(!plain.bold && !plain.underline && !plain.reverse && !plain.italic);
}

void TerminalScreenTest::alternateScreenSwitchesBack()
{
    TerminalView view;
    view.feed("shell prompt $ ");
    view.feed("\x1b[?1049h\x1b[H\x1b[2Jfull-screen program");
    QVERIFY(view.isAlternateScreen());
    QVERIFY(view.screenText().startsWith(QStringLiteral("full-screen program")));
    QVERIFY(!view.screenText().contains(QStringLiteral("prompt")));
    view.feed("\x1b[?1049l");
    QVERIFY(!view.isAlternateScreen());
    QVERIFY(view.screenText().startsWith(QStringLiteral("shell prompt $")));
    QVERIFY(!view.screenText().contains(QStringLiteral("program")));
    QCOMPARE(view.cursorPosition(), QPoint(15, 0));
}

void TerminalScreenTest::scrollbackKeepsScrolledLines()
{
    TerminalView view;
    QByteArray output;
    for (int line = 0; line < 200; ++line) {
        output += "line " + QByteArray::number(line) + "\r\n";
    }
    view.feed(output);
    QTRY_COMPARE(view.pendingBytes(), 0);
    // 200 lines and the empty line the cursor is on: all but the last `rows` scrolled off.
    QCOMPARE(view.scrollbackLineCount(), 201 - view.rows());
    QCOMPARE(view.scrollbackLineText(0), QStringLiteral("line 0"));
    QCOMPARE(view.scrollbackLineText(view.scrollbackLineCount() - 1),
        QStringLiteral("line %1").arg(200 - view.rows()));
    QVERIFY(view.screenText().startsWith(QStringLiteral("line %1\n").arg(201 - view.rows())));
}

void TerminalScreenTest::scrollbackIsCapped()
{
    TerminalView view;
    QByteArray output;
    for (int line = 0; line < TerminalView::scrollbackCapacity + 500; ++line) {
        output += QByteArray::number(line) + "\r\n";
    }
    view.feed(output);
    QTRY_COMPARE(view.pendingBytes(), 0);
    QCOMPARE(view.scrollbackLineCount(), TerminalView::scrollbackCapacity);
    // The oldest lines went first.
    QCOMPARE(view.scrollbackLineText(0), QString::number(500 + 1 - view.rows()));
}

void TerminalScreenTest::savesScreenshot()
{
    TerminalView view;
    view.resize(760, 420);
    view.setCursorBlinkEnabled(false);
    view.show();
    view.activateWindow();
    view.setFocus();
    QVERIFY(QTest::qWaitForWindowActive(&view));
    view.feed("\x1b[1;32muser@airlock\x1b[0m:\x1b[1;34m/datasets\x1b[0m$ ls -l\r\n"
              "total 3\r\n"
              "-r--r--r-- 1 root root 52133 cohort.csv\r\n"
              "\x1b[7m reverse \x1b[0m \x1b[4munderline\x1b[0m \x1b[3mitalic\x1b[0m "
              "\x1b[9mstrike\x1b[0m\r\n");
    for (int index = 0; index < 16; ++index) {
        view.feed("\x1b[48;5;" + QByteArray::number(index) + "m  ");
    }
    view.feed("\x1b[0m\r\n");
    for (int index = 16; index < 256; index += 6) {
        view.feed("\x1b[48;5;" + QByteArray::number(index) + "m ");
    }
    view.feed("\x1b[0m\r\n\x1b[38;2;255;128;0mRGB orange\x1b[0m  \xce\xb1\xce\xb2\xce\xb3 "
              "\xe7\x95\x8c\r\n$ ");
    const QImage image = view.grab().toImage();
    QVERIFY(!image.isNull());
    // The green prompt is drawn: some pixel is clearly green (scheme's bright green).
    bool green = false;
    for (int y = 0; y < view.cellSize().height() && !green; ++y) {
        for (int x = 0; x < 12 * view.cellSize().width() && !green; ++x) {
            const QColor pixel = image.pixelColor(x, y);
            green = pixel.green() > 150 && pixel.red() < 100;
        }
    }
    QVERIFY(green);
    // The focused cursor is a solid block in the cursor colour after the final "$ ".
    const QPoint cursor = view.cursorPosition();
    const QSize cell = view.cellSize();
    const QPoint inCursor = view.viewport()->mapTo(&view,
        QPoint(cursor.x() * cell.width() + cell.width() / 2,
            cursor.y() * cell.height() + cell.height() / 2));
    QCOMPARE(image.pixelColor(inCursor), view.colorScheme().cursor);
    const QString path =
        QCoreApplication::applicationDirPath() + QStringLiteral("/console-terminal.png");
    QVERIFY(image.save(path));
    qInfo("screenshot: %s", qPrintable(path));
}

QTEST_MAIN(TerminalScreenTest)
#include "tst_console_terminal.moc"
