// TerminalView towards the guest: keys, paste, selection and size; and hostile output.
#include "TerminalView.h"

#include <QApplication>
#include <QClipboard>
#include <QFontMetrics>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

using ui::TerminalView;

namespace {

QByteArray typed(TerminalView& view, int key, Qt::KeyboardModifiers modifiers = Qt::NoModifier,
    const QString& text = QString())
{
    QSignalSpy spy(&view, &TerminalView::inputProduced);
    QKeyEvent press(QEvent::KeyPress, key, modifiers, text);
    QApplication::sendEvent(&view, &press);
    QByteArray bytes;
    for (const QList<QVariant>& arguments : spy) {
        bytes += arguments.at(0).toByteArray();
    }
    return bytes;
}

void sendMouse(QWidget* target, QEvent::Type type, QPoint position, Qt::MouseButton button,
    Qt::MouseButtons buttons)
{
    QMouseEvent event(
        type, position, target->mapToGlobal(position), button, buttons, Qt::NoModifier);
    QApplication::sendEvent(target, &event);
}

} // namespace

class TerminalInputTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void cursorAndEditingKeys();
    void cursorKeysFollowApplicationMode();
    void controlAndAltChords();
    void textIsUtf8();
    void keyClicksReachTheGuest();
    void tabStaysInTheTerminal();
    void bracketedPasteStripsEscapes();
    void mouseSelectionCopies();
    void repliesToCursorQuery();
    void wheelScrollsHistoryAndFullScreenPrograms();
    void resizeReportsGridFromFontMetrics();
    void floodIsParsedInSlices();
    void pendingOutputIsCapped();
};

void TerminalInputTest::cursorAndEditingKeys()
{
    TerminalView view;
    QCOMPARE(typed(view, Qt::Key_Up), QByteArray("\x1b[A"));
    QCOMPARE(typed(view, Qt::Key_Down), QByteArray("\x1b[B"));
    QCOMPARE(typed(view, Qt::Key_Right), QByteArray("\x1b[C"));
    QCOMPARE(typed(view, Qt::Key_Left), QByteArray("\x1b[D"));
    QCOMPARE(typed(view, Qt::Key_Home), QByteArray("\x1b[H"));
    QCOMPARE(typed(view, Qt::Key_End), QByteArray("\x1b[F"));
    QCOMPARE(typed(view, Qt::Key_PageUp), QByteArray("\x1b[5~"));
    QCOMPARE(typed(view, Qt::Key_PageDown), QByteArray("\x1b[6~"));
    QCOMPARE(typed(view, Qt::Key_Delete), QByteArray("\x1b[3~"));
    QCOMPARE(typed(view, Qt::Key_F1), QByteArray("\x1bOP"));
    QCOMPARE(typed(view, Qt::Key_F5), QByteArray("\x1b[15~"));
    QCOMPARE(typed(view, Qt::Key_F12), QByteArray("\x1b[24~"));
    QCOMPARE(typed(view, Qt::Key_Return), QByteArray("\r"));
    QCOMPARE(typed(view, Qt::Key_Backspace), QByteArray("\x7f"));
    QCOMPARE(typed(view, Qt::Key_Escape), QByteArray("\x1b"));
    QCOMPARE(typed(view, Qt::Key_Up, Qt::ControlModifier), QByteArray("\x1b[1;5A"));
}

void TerminalInputTest::cursorKeysFollowApplicationMode()
{
    TerminalView view;
    view.feed("\x1b[?1h"); // DECCKM, as vim and less set it
    QCOMPARE(typed(view, Qt::Key_Up), QByteArray("\x1bOA"));
    view.feed("\x1b[?1l");
    QCOMPARE(typed(view, Qt::Key_Up), QByteArray("\x1b[A"));
}

void TerminalInputTest::controlAndAltChords()
{
    TerminalView view;
    // Offscreen Qt gives "c" as the text of Ctrl+C; X11 gives "\x03": both must send ETX.
    QCOMPARE(typed(view, Qt::Key_C, Qt::ControlModifier, QStringLiteral("c")), QByteArray("\x03"));
    QCOMPARE(
        typed(view, Qt::Key_D, Qt::ControlModifier, QStringLiteral("\x04")), QByteArray("\x04"));
    QCOMPARE(typed(view, Qt::Key_I, Qt::ControlModifier, QStringLiteral("i")), QByteArray("\t"));
    QCOMPARE(typed(view, Qt::Key_BracketLeft, Qt::ControlModifier), QByteArray("\x1b"));
    QCOMPARE(typed(view, Qt::Key_X, Qt::AltModifier, QStringLiteral("x")), QByteArray("\x1bx"));
    QCOMPARE(typed(view, Qt::Key_Tab), QByteArray("\t"));
    QCOMPARE(typed(view, Qt::Key_Backtab, Qt::ShiftModifier), QByteArray("\x1b[Z"));
}

void TerminalInputTest::textIsUtf8()
{
    TerminalView view;
    QCOMPARE(typed(view, Qt::Key_A, Qt::NoModifier, QStringLiteral("a")), QByteArray("a"));
    QCOMPARE(typed(view, Qt::Key_A, Qt::ShiftModifier, QStringLiteral("A")), QByteArray("A"));
    QCOMPARE(
        typed(view, Qt::Key_Eacute, Qt::NoModifier, QStringLiteral("é")), QByteArray("\xc3\xa9"));
    QCOMPARE(typed(view, Qt::Key_unknown, Qt::NoModifier, QStringLiteral("€")),
        QByteArray("\xe2\x82\xac"));
    QSignalSpy spy(&view, &TerminalView::inputProduced);
    QInputMethodEvent composed;
    composed.setCommitString(QStringLiteral("日本"));
    QApplication::sendEvent(&view, &composed);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toByteArray(), QStringLiteral("日本").toUtf8());
}

void TerminalInputTest::keyClicksReachTheGuest()
{
    // QTest::keyClick goes through the same path as a real keyboard (including shortcut override).
    TerminalView view;
    QSignalSpy spy(&view, &TerminalView::inputProduced);
    QTest::keyClick(&view, Qt::Key_Up);
    QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier);
    QTest::sendKeyEvent(QTest::Click, &view, Qt::Key_Eacute, QStringLiteral("é"), Qt::NoModifier);
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(0).at(0).toByteArray(), QByteArray("\x1b[A"));
    QCOMPARE(spy.at(1).at(0).toByteArray(), QByteArray("\x03"));
    QCOMPARE(spy.at(2).at(0).toByteArray(), QByteArray("\xc3\xa9"));
}

void TerminalInputTest::tabStaysInTheTerminal()
{
    QWidget window;
    auto* view = new TerminalView(&window);
    auto* other = new QWidget(&window);
    other->setFocusPolicy(Qt::StrongFocus);
    window.show();
    view->setFocus();
    QSignalSpy spy(view, &TerminalView::inputProduced);
    QTest::keyClick(view, Qt::Key_Tab);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toByteArray(), QByteArray("\t"));
    QVERIFY(!other->hasFocus());
}

void TerminalInputTest::bracketedPasteStripsEscapes()
{
    TerminalView view;
    QApplication::clipboard()->setText(QStringLiteral("echo hi\n\x1b[201~rm -rf ~\r\nls"));
    QSignalSpy spy(&view, &TerminalView::inputProduced);
    QTest::keyClick(&view, Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(spy.count(), 1);
    // No bracketed-paste mode yet: plain text, newlines as Enter, the escape removed.
    QCOMPARE(spy.at(0).at(0).toByteArray(), QByteArray("echo hi\r[201~rm -rf ~\rls"));
    view.feed("\x1b[?2004h");
    spy.clear();
    view.paste();
    QCOMPARE(spy.count(), 1);
    QCOMPARE(
        spy.at(0).at(0).toByteArray(), QByteArray("\x1b[200~echo hi\r[201~rm -rf ~\rls\x1b[201~"));
}

void TerminalInputTest::mouseSelectionCopies()
{
    TerminalView view;
    view.resize(640, 400);
    view.feed("first line\r\nsecond line\r\n");
    QWidget* viewport = view.viewport();
    const QSize cell = view.cellSize();
    const QPoint from(6 * cell.width() + 1, cell.height() / 2); // on 'l' of "line"
    const QPoint to(6 * cell.width() + 1, cell.height() + cell.height() / 2); // before "line"
    sendMouse(viewport, QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
    sendMouse(viewport, QEvent::MouseMove, to, Qt::NoButton, Qt::LeftButton);
    sendMouse(viewport, QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
    QCOMPARE(view.selectedText(), QStringLiteral("line\nsecond"));
    QApplication::clipboard()->clear();
    QTest::keyClick(&view, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("line\nsecond"));
}

void TerminalInputTest::repliesToCursorQuery()
{
    // Programs ask where the cursor is (DSR 6); the reply goes back to the guest as input.
    TerminalView view;
    QSignalSpy spy(&view, &TerminalView::inputProduced);
    view.feed("\x1b[3;7H\x1b[6n");
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toByteArray(), QByteArray("\x1b[3;7R"));
}

void TerminalInputTest::wheelScrollsHistoryAndFullScreenPrograms()
{
    TerminalView view;
    view.resize(640, 400);
    QByteArray lines;
    for (int line = 0; line < 100; ++line) {
        lines += "line " + QByteArray::number(line) + "\r\n";
    }
    view.feed(lines);
    QScrollBar* bar = view.verticalScrollBar();
    QCOMPARE(bar->value(), bar->maximum()); // following the output
    const QPoint middle = view.viewport()->rect().center();
    QWheelEvent up(middle, view.viewport()->mapToGlobal(middle), QPoint(), QPoint(0, 120),
        Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(view.viewport(), &up);
    const int scrolledTo = bar->value();
    QVERIFY(scrolledTo < bar->maximum());
    // New output does not pull a reader back down; a key press does.
    view.feed("more\r\nand more\r\n");
    QCOMPARE(bar->value(), scrolledTo);
    QVERIFY(bar->maximum() > scrolledTo + 2);
    typed(view, Qt::Key_A, Qt::NoModifier, QStringLiteral("a"));
    QCOMPARE(bar->value(), bar->maximum());
    // In a full-screen program the wheel sends cursor keys (less, man, vim scroll).
    view.feed("\x1b[?1049h");
    QSignalSpy spy(&view, &TerminalView::inputProduced);
    QApplication::sendEvent(view.viewport(), &up);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toByteArray(), QByteArray("\x1b[A\x1b[A\x1b[A"));
}

void TerminalInputTest::resizeReportsGridFromFontMetrics()
{
    TerminalView view;
    QSignalSpy spy(&view, &TerminalView::sizeChanged);
    view.resize(900, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(spy.count() >= 1);
    const QFontMetrics metrics(view.font());
    const int expectedColumns =
        view.viewport()->width() / metrics.horizontalAdvance(QLatin1Char('M'));
    const int expectedRows = view.viewport()->height() / metrics.height();
    QCOMPARE(spy.last().at(0).toInt(), expectedRows);
    QCOMPARE(spy.last().at(1).toInt(), expectedColumns);
    QCOMPARE(view.rows(), expectedRows);
    QCOMPARE(view.columns(), expectedColumns);
    // A long line now wraps at the new width.
    view.feed(QByteArray(expectedColumns + 3, 'x'));
    QCOMPARE(view.cellAt(1, 2).text, QStringLiteral("x"));
    QVERIFY(view.cellAt(1, 3).text.isEmpty());
}

void TerminalInputTest::floodIsParsedInSlices()
{
    TerminalView view;
    view.resize(640, 400);
    QByteArray flood;
    flood.reserve(1 << 20);
    QRandomGenerator random(4);
    const QByteArray hostile[] = {"\x1b[99999999;99999999H", "\x1b[999999999@", "\x1b[99999999L",
        "\x1b]0;" + QByteArray(4000, 't') + "\x07", "\x1b[38;5;99999999m",
        "\x1bP" + QByteArray(4000, 'd'), "\x1b[" + QByteArray(3000, '9') + "S", "\x1b[?1049h",
        "\x1b[?1049l", "\x1b[2J", QByteArray(5000, 'z')};
    while (flood.size() < (1 << 20)) {
        if (random.bounded(4) == 0) {
            flood += hostile[random.bounded(static_cast<int>(std::size(hostile)))];
        } else {
            for (int byte = 0; byte < 200; ++byte) {
                flood += static_cast<char>(random.bounded(256));
            }
        }
    }
    bool eventLoopRan = false;
    QTimer::singleShot(0, &view, [&eventLoopRan] { eventLoopRan = true; });
    view.feed(flood);
    // The first slice returns without parsing everything: the GUI keeps handling events.
    QVERIFY(view.pendingBytes() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(view.pendingBytes() == 0, 20000);
    QVERIFY(eventLoopRan);
    QVERIFY(view.scrollbackLineCount() <= TerminalView::scrollbackCapacity);
    // Still a working terminal afterwards.
    view.feed("\x1b"
              "c"
              "alive");
    QVERIFY(view.screenText().startsWith(QStringLiteral("alive")));
    QVERIFY(!view.grab().isNull());
}

void TerminalInputTest::pendingOutputIsCapped()
{
    TerminalView view;
    const QByteArray block(1 << 20, 'a');
    for (int index = 0; index < 12; ++index) {
        view.feed(block);
    }
    QVERIFY(view.pendingBytes() <= TerminalView::maximumPendingBytes);
    QVERIFY(view.droppedBytes() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(view.pendingBytes() == 0, 30000);
}

QTEST_MAIN(TerminalInputTest)
#include "tst_console_input.moc"
