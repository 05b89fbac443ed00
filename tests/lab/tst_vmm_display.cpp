// Lab test: the session's screen (issue 5). airlock-vmm runs a guest with a 1280x800 display whose
// command draws the known test pattern on /dev/fb0 (airlock-fb-pattern) and prints the input
// events its evdev devices see (airlock-input-events). A VNC client on the display's Unix socket
// must receive the pattern pixel for pixel; a second one over the control channel's display
// stream (the app's way, which also crosses the KVM lab) must too; keys and pointer
// events the client sends must arrive in the guest as evdev events with the right codes and
// absolute coordinates; and the shred report must name the framebuffer.

#include "LabTestMain.h"
#include "LabVmmProcess.h"
#include "RfbTestClient.h"
#include "control/ControlClient.h"
#include "display/TestPattern.h"

#include <linux/input-event-codes.h>
#include <rfb/keysym.h>

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace std::chrono_literals;

namespace {

constexpr int kWidth = 1280;
constexpr int kHeight = 800;

// Pixels of `client`'s frame that differ from the test pattern; the first few are described.
int patternMismatches(const testsupport::RfbTestClient& client, QString& firstMismatches)
{
    int wrong = 0;
    for (int y = 0; y < client.height(); ++y)
        for (int x = 0; x < client.width(); ++x) {
            uint32_t expected = vmm::testPatternPixel(uint32_t(x), uint32_t(y), kWidth, kHeight) & 0xffffff;
            uint32_t got = client.pixel(x, y) & 0xffffff;
            if (got == expected)
                continue;
            if (++wrong <= 5)
                firstMismatches += QStringLiteral("(%1,%2): %3 instead of %4; ")
                                       .arg(x)
                                       .arg(y)
                                       .arg(got, 6, 16, QLatin1Char('0'))
                                       .arg(expected, 6, 16, QLatin1Char('0'));
        }
    return wrong;
}

// Handles updates until the frame is the test pattern (a viewer may first get the screen as it
// was before the server read the guest's framebuffer); how many pixels still differ.
int waitForPattern(testsupport::RfbTestClient& client, QString& firstMismatches)
{
    int wrong = -1;
    client.pumpUntil(60s, [&] {
        firstMismatches.clear();
        wrong = client.updates() > 0 ? patternMismatches(client, firstMismatches) : -1;
        return wrong == 0;
    });
    return wrong;
}

} // namespace

class VmmDisplayTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_directory;

private slots:
    void initTestCase()
    {
        QVERIFY(m_directory.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_KERNEL)), "no guest kernel");
        QVERIFY2(QFile::exists(QStringLiteral(AIRLOCK_GUEST_INITRAMFS)), "no guest initramfs");
    }

    void guestScreenAndInputReachAVncClient()
    {
        QString session = m_directory.filePath("session");
        QString shredReport = m_directory.filePath("shred.json");
        auto vmmProcess = labvmm::spawnVmm(
            {"--kernel", QStringLiteral(AIRLOCK_GUEST_KERNEL), "--initramfs",
                QStringLiteral(AIRLOCK_GUEST_INITRAMFS), "--memory", "256M", "--session-dir", session,
                "--display", QStringLiteral("%1x%2").arg(kWidth).arg(kHeight), "--shred-report",
                shredReport, "--", "sh", "-c",
                "airlock-fb-pattern --hold 900 & exec airlock-input-events --count 6 --timeout 600"},
            m_directory.filePath("vmm-stdout.txt"));
        QVERIFY2(vmmProcess, "posix_spawn failed");
        auto connected = vmm::ControlClient::create(std::move(vmmProcess->appSide), 300s, "tst_vmm_display");
        QVERIFY2(connected, connected ? "" : connected.error().message().c_str());
        vmm::ControlClient& control = **connected;

        QByteArray console;
        QVERIFY2(labvmm::waitForConsole(control, console, "input-ready", 300s), console.right(3000).constData());
        QVERIFY2(labvmm::waitForConsole(control, console, "fb-pattern: drew 1280x800", 120s),
            console.right(3000).constData());
        // The guest sees a keyboard and an absolute pointer spanning the screen.
        QVERIFY2(console.contains("name=\"Airlock keyboard\""), console.right(3000).constData());
        QVERIFY2(console.contains("name=\"Airlock tablet\"") && console.contains("abs_x=0..1279") &&
                console.contains("abs_y=0..799"),
            console.right(3000).constData());

        // 1. The Unix socket, Raw: the pattern pixel for pixel.
        testsupport::RfbTestClient local(
            testsupport::RfbTestClient::connectUnix((session + "/display.sock").toStdString()), "raw");
        QVERIFY2(local.error().empty(), local.error().c_str());
        QCOMPARE(local.width(), kWidth);
        QCOMPARE(local.height(), kHeight);
        QString mismatches;
        QVERIFY2(waitForPattern(local, mismatches) == 0, qPrintable(QString::fromStdString(local.error()) + mismatches));
        qInfo("Raw over the Unix socket: the pattern after %llu update(s)",
            static_cast<unsigned long long>(local.updates()));

        // 2. The control channel's display stream (the app's way): the same frame.
        auto stream = control.openDisplayStream();
        QVERIFY2(stream, stream ? "" : stream.error().message().c_str());
        testsupport::RfbTestClient relayed(stream->release(), "zrle raw");
        QVERIFY2(relayed.error().empty(), relayed.error().c_str());
        QVERIFY2(waitForPattern(relayed, mismatches) == 0,
            qPrintable(QString::fromStdString(relayed.error()) + mismatches));
        qInfo("over the control channel: the pattern after %llu update(s)",
            static_cast<unsigned long long>(relayed.updates()));

        // 3. Input: a key typed and a click at the centre of the screen.
        QVERIFY(local.sendKey(XK_a, true));
        QVERIFY(local.sendKey(XK_a, false));
        QVERIFY(local.sendPointer(640, 400, 0));
        QVERIFY(local.sendPointer(640, 400, 1));
        QVERIFY(local.sendPointer(640, 400, 0));
        QByteArray expected[] = {
            QByteArray("type=%1 code=%2 value=1").replace("%1", QByteArray::number(EV_KEY)).replace("%2", QByteArray::number(KEY_A)),
            QByteArray("type=%1 code=%2 value=0").replace("%1", QByteArray::number(EV_KEY)).replace("%2", QByteArray::number(KEY_A)),
            QByteArray("type=%1 code=%2 value=640").replace("%1", QByteArray::number(EV_ABS)).replace("%2", QByteArray::number(ABS_X)),
            QByteArray("type=%1 code=%2 value=400").replace("%1", QByteArray::number(EV_ABS)).replace("%2", QByteArray::number(ABS_Y)),
            QByteArray("type=%1 code=%2 value=1").replace("%1", QByteArray::number(EV_KEY)).replace("%2", QByteArray::number(BTN_LEFT)),
            QByteArray("type=%1 code=%2 value=0").replace("%1", QByteArray::number(EV_KEY)).replace("%2", QByteArray::number(BTN_LEFT)),
        };
        // The guest's command ends after six events: the session stops on its own. The keyboard
        // and the tablet are two devices with their own interrupts: their events keep their order
        // within each device, not between the two.
        auto allArrived = [&] {
            for (const QByteArray& event : expected)
                if (!console.contains(event))
                    return false;
            return true;
        };
        for (auto deadline = std::chrono::steady_clock::now() + 120s;
             !allArrived() && std::chrono::steady_clock::now() < deadline;) {
            auto event = control.nextEvent(500ms);
            if (!event)
                break; // the channel closed: everything sent was read
            if (*event && (*event)->kind == vmm::toWire(vmm::ControlKind::ConsoleOutputBytes))
                console.append(reinterpret_cast<const char*>((*event)->payload.data()),
                    static_cast<qsizetype>((*event)->payload.size()));
        }
        QVERIFY2(allArrived(), console.right(3000).constData());
        auto before = [&](const QByteArray& first, const QByteArray& second) {
            return console.indexOf(first) < console.indexOf(second);
        };
        QVERIFY2(before(expected[0], expected[1]), "key up before key down");
        QVERIFY2(before(expected[2], expected[4]) && before(expected[3], expected[4]) &&
                before(expected[4], expected[5]),
            "pointer events out of order");
        QCOMPARE(vmmProcess->wait(180s), 0);

        // The screen held what the session showed: it is shredded like guest RAM.
        QFile report(shredReport);
        QVERIFY(report.open(QIODevice::ReadOnly));
        QByteArray text = report.readAll();
        QVERIFY2(text.contains("framebuffer"), text.constData());
        QVERIFY2(QJsonDocument::fromJson(text).isObject(), text.constData());
    }
};

AIRLOCK_LAB_TEST_MAIN(VmmDisplayTest)

#include "tst_vmm_display.moc"
