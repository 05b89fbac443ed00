// The guest side of the display (vmm/guest, vmm/display/TestPattern.h) without a VM: the pictures
// the guest draws and the host recomputes, how airlock-guest picks a tool by its name, the tools'
// options, the airlock.console kernel parameter, the checks on /dev/fb0's screen info, and the
// lines airlock-input-events prints for the host to read.

#include "display/TestPattern.h"
#include "guest/FbAnimateCommand.h"
#include "guest/FbPatternCommand.h"
#include "guest/Framebuffer.h"
#include "guest/FramebufferLayout.h"
#include "guest/GuestTools.h"
#include "guest/InputEventsCommand.h"
#include "guest/SessionTerminal.h"

#include <fcntl.h>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

#include <linux/input.h>
#include <sys/stat.h>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

using namespace vmm;
using namespace vmm::guest;

namespace {
constexpr uint32_t kWidth = 1280;
constexpr uint32_t kHeight = 800;

// What vesafb reports for the engine's default 1280x800 XRGB8888 framebuffer.
struct ScreenInfo {
    fb_var_screeninfo variable {};
    fb_fix_screeninfo fixed {};

    ScreenInfo()
    {
        variable.xres = variable.xres_virtual = kWidth;
        variable.yres = variable.yres_virtual = kHeight;
        variable.bits_per_pixel = 32;
        variable.red = {16, 8, 0};
        variable.green = {8, 8, 0};
        variable.blue = {0, 8, 0};
        variable.transp = {24, 8, 0};
        fixed.type = FB_TYPE_PACKED_PIXELS;
        fixed.visual = FB_VISUAL_TRUECOLOR;
        fixed.line_length = kWidth * 4;
        fixed.smem_len = kWidth * 4 * kHeight;
    }

    Result<FramebufferLayout> layout() const
    {
        return FramebufferLayout::fromScreenInfo(variable, fixed);
    }
};

uint32_t swapRedBlue(uint32_t pixel)
{
    return (pixel & 0x00ff00) | (pixel >> 16 & 0xff) | (pixel & 0xff) << 16;
}

std::vector<std::string_view> words(std::initializer_list<const char*> list)
{
    return {list.begin(), list.end()};
}

QString messageOf(const Error& error)
{
    return QString::fromStdString(error.message());
}

// Runs airlock-input-events' loop on `directory` with stdout sent to a file; its status and output.
std::pair<int, QString> watchInputs(const QString& directory, InputEventsCommand::Options options)
{
    QTemporaryFile output;
    if (!output.open())
        return {-1, "no temporary file"};
    int saved = ::dup(STDOUT_FILENO);
    ::dup2(output.handle(), STDOUT_FILENO);
    int status = InputEventsCommand::watch(directory.toLocal8Bit().constData(), options);
    ::dup2(saved, STDOUT_FILENO);
    ::close(saved);
    output.seek(0);
    return {status, QString::fromUtf8(output.readAll())};
}

void writeEvent(int fd, uint16_t type, uint16_t code, int32_t value)
{
    input_event event {};
    event.type = type;
    event.code = code;
    event.value = value;
    QCOMPARE(::write(fd, &event, sizeof event), ssize_t(sizeof event));
}
} // namespace

// Evaluated by the compiler: the guest and the host compute the same numbers by construction.
static_assert(testPatternPixel(0, 0, kWidth, kHeight) == kTestPatternBorder);
static_assert(testPatternPixel(1, 1, kWidth, kHeight) == 0xffffff);
static_assert(animationPixel(0, 0, 1) != animationPixel(0, 0, 0));

class GuestDisplayTest : public QObject {
    Q_OBJECT

private slots:
    void patternHasBarsBorderAndPerPixelHalf()
    {
        // The middle of each bar, a quarter of the way down.
        for (uint32_t bar = 0; bar < 8; ++bar) {
            uint32_t x = bar * kWidth / 8 + kWidth / 16;
            QCOMPARE(testPatternPixel(x, kHeight / 4, kWidth, kHeight), kTestPatternBars[bar]);
        }
        QCOMPARE(testPatternPixel(159, 100, kWidth, kHeight), 0xffffffu); // last column of bar 0
        QCOMPARE(testPatternPixel(160, 100, kWidth, kHeight), 0xffff00u); // first of bar 1
        QCOMPARE(testPatternPixel(1278, 399, kWidth, kHeight), 0x000000u); // black, last bar row
        // The border, on all four sides and in both halves.
        for (auto [x, y] : std::vector<std::pair<uint32_t, uint32_t>> {{0, 0}, {1279, 0}, {0, 799},
                 {1279, 799}, {640, 0}, {640, 799}, {0, 600}, {1279, 600}})
            QCOMPARE(testPatternPixel(x, y, kWidth, kHeight), kTestPatternBorder);
        // Bottom half: r = x, g = y, b = x ^ y, each modulo 256.
        QCOMPARE(testPatternPixel(300, 500, kWidth, kHeight),
            uint32_t {(300 & 0xff) << 16 | (500 & 0xff) << 8 | ((300 ^ 500) & 0xff)});
        QCOMPARE(testPatternPixel(1, 400, kWidth, kHeight), 0x019091u);
        QCOMPARE(testPatternPixel(5, 399, kWidth, kHeight), 0xffffffu); // still top half
    }

    void patternUsesEveryChannelValue()
    {
        std::set<uint32_t> red, green, blue;
        for (uint32_t y = 0; y < kHeight; ++y)
            for (uint32_t x = 0; x < kWidth; ++x) {
                uint32_t pixel = testPatternPixel(x, y, kWidth, kHeight);
                QCOMPARE(pixel >> 24, 0u); // XRGB: the top byte stays 0
                red.insert(pixel >> 16 & 0xff);
                green.insert(pixel >> 8 & 0xff);
                blue.insert(pixel & 0xff);
            }
        QCOMPARE(red.size(), size_t {256});
        QCOMPARE(green.size(), size_t {256});
        QCOMPARE(blue.size(), size_t {256});
    }

    void patternCatchesShiftedSwappedOrScaledFrames()
    {
        int shiftedX = 0, shiftedY = 0, swapped = 0, scaled = 0;
        for (uint32_t y = 1; y + 1 < kHeight; ++y)
            for (uint32_t x = 1; x + 1 < kWidth; ++x) {
                uint32_t pixel = testPatternPixel(x, y, kWidth, kHeight);
                shiftedX += pixel != testPatternPixel(x + 1, y, kWidth, kHeight);
                shiftedY += pixel != testPatternPixel(x, y + 1, kWidth, kHeight);
                swapped += pixel != swapRedBlue(pixel);
                // A frame scaled to half size and back: each pixel shows its even neighbour.
                scaled += pixel != testPatternPixel(x & ~1u, y & ~1u, kWidth, kHeight);
            }
        // Every bottom-half pixel changes under each of these; the bars change under a swap.
        int bottomHalf = int(kWidth - 2) * int(kHeight / 2 - 1);
        QVERIFY2(shiftedX >= bottomHalf, qPrintable(QString::number(shiftedX)));
        QVERIFY2(shiftedY >= bottomHalf, qPrintable(QString::number(shiftedY)));
        QVERIFY2(swapped > bottomHalf, qPrintable(QString::number(swapped)));
        QVERIFY2(scaled > bottomHalf / 2, qPrintable(QString::number(scaled)));
    }

    void patternOfAnyShapeHasNoDivisionByZero()
    {
        QCOMPARE(testPatternPixel(5, 5, 0, 0), 0x050500u); // no top half at all
        QCOMPARE(testPatternPixel(5, 5, 0, 100), kTestPatternBars[0]);
        QCOMPARE(testPatternPixel(5, 5, 100, 0), uint32_t {5 << 16 | 5 << 8 | 0});
        QCOMPARE(testPatternPixel(7000, 5, 100, 100), kTestPatternBars[7]); // clamped bar
    }

    void animationChangesEveryPixelEveryFrame()
    {
        for (uint32_t frame : {0u, 1u, 255u, 256u, 1000u, 0xfffffffeu})
            for (uint32_t y = 0; y < kHeight; y += 37)
                for (uint32_t x = 0; x < kWidth; x += 41)
                    QVERIFY2(animationPixel(x, y, frame) != animationPixel(x, y, frame + 1),
                        qPrintable(QStringLiteral("(%1,%2) frame %3").arg(x).arg(y).arg(frame)));
        // And it is a picture, not a flat colour: neighbours differ within a frame.
        QVERIFY(animationPixel(10, 10, 3) != animationPixel(11, 10, 3));
        QVERIFY(animationPixel(10, 10, 3) != animationPixel(10, 11, 3));
    }

    void toolsAreChosenByTheNameCalled()
    {
        QVERIFY(GuestTools::find("/bin/airlock-fb-pattern") == &FbPatternCommand::run);
        QVERIFY(GuestTools::find("airlock-fb-animate") == &FbAnimateCommand::run);
        QVERIFY(GuestTools::find("/usr/../bin/airlock-input-events") == &InputEventsCommand::run);
        // PID 1 stays PID 1: the kernel runs /init, and nothing else is a tool.
        QVERIFY(GuestTools::find("/init") == nullptr);
        QVERIFY(GuestTools::find("init") == nullptr);
        QVERIFY(GuestTools::find("") == nullptr);
        QVERIFY(GuestTools::find("/bin/airlock-fb-pattern/") == nullptr);
        QVERIFY(GuestTools::find("airlock-fb-patterns") == nullptr);
        QVERIFY(GuestTools::find("/airlock-fb-pattern/init") == nullptr);
    }

    void patternOptions()
    {
        QCOMPARE(FbPatternCommand::parseOptions({})->holdSeconds, 0u);
        QCOMPARE(FbPatternCommand::parseOptions(words({"--hold", "900"}))->holdSeconds, 900u);
        QCOMPARE(FbPatternCommand::parseOptions(words({"--hold=5"}))->holdSeconds, 5u);
        QCOMPARE(FbPatternCommand::parseOptions(words({"--hold", "86400"}))->holdSeconds, 86400u);

        auto refusal = [](std::initializer_list<const char*> list) {
            Result<FbPatternCommand::Options> options = FbPatternCommand::parseOptions(words(list));
            return options ? QString() : messageOf(options.error());
        };
        QCOMPARE(refusal({"--hold"}), QStringLiteral("--hold: needs a number"));
        QCOMPARE(refusal({"--hold", "abc"}),
            QStringLiteral("--hold: \"abc\" is not a whole number from 0 to 86400"));
        QVERIFY(refusal({"--hold", "-1"}).contains("\"-1\" is not a whole number"));
        QVERIFY(refusal({"--hold", "86401"}).contains("from 0 to 86400"));
        QVERIFY(refusal({"--hold", "99999999999999999999"}).contains("is not a whole number"));
        QVERIFY(refusal({"--hold", "5s"}).contains("\"5s\""));
        QVERIFY(refusal({"--hold="}).contains("\"\" is not a whole number"));
        QCOMPARE(refusal({"--hold", "1", "--hold", "2"}), QStringLiteral("--hold: given twice"));
        QCOMPARE(
            refusal({"--seconds", "3"}), QStringLiteral("usage: unknown option \"--seconds\""));
        QCOMPARE(refusal({"5"}), QStringLiteral("usage: unknown option \"5\""));
        // A hostile word is quoted bounded and printable.
        QString quoted = refusal({"--\x1b[2J\"evil\"\n-and-a-very-long-tail-of-text-to-cut-off"});
        QVERIFY2(!quoted.contains('\x1b') && !quoted.contains('\n') && quoted.endsWith("...\""),
            qPrintable(quoted));
    }

    void animateAndInputOptions()
    {
        Result<FbAnimateCommand::Options> animate = FbAnimateCommand::parseOptions({});
        QCOMPARE(animate->seconds, 10u);
        QCOMPARE(animate->holdSeconds, 0u);
        animate = FbAnimateCommand::parseOptions(words({"--hold", "40", "--seconds=90"}));
        QCOMPARE(animate->seconds, 90u);
        QCOMPARE(animate->holdSeconds, 40u);
        QVERIFY(!FbAnimateCommand::parseOptions(words({"--count", "3"})));

        Result<InputEventsCommand::Options> input = InputEventsCommand::parseOptions({});
        QCOMPARE(input->count, 0u);
        QCOMPARE(input->timeoutSeconds, 0u);
        input = InputEventsCommand::parseOptions(words({"--count", "6", "--timeout", "600"}));
        QCOMPARE(input->count, 6u);
        QCOMPARE(input->timeoutSeconds, 600u);
        QVERIFY(!InputEventsCommand::parseOptions(words({"--count", "1000001"})));
        QVERIFY(!InputEventsCommand::parseOptions(words({"--hold", "1"})));
    }

    void usageErrorsExitWithTwoBeforeTouchingTheDevice()
    {
        // Run in this process: a refused option returns before any device is opened.
        std::vector<std::string> pattern {"airlock-fb-pattern", "--hold", "soon"};
        std::vector<std::string> animate {"airlock-fb-animate", "--frames", "3"};
        std::vector<std::string> input {"airlock-input-events", "--count"};
        auto runWith = [](GuestTools::Entry entry, std::vector<std::string>& arguments) {
            std::vector<char*> argv;
            for (std::string& argument : arguments)
                argv.push_back(argument.data());
            argv.push_back(nullptr);
            return entry(int(arguments.size()), argv.data());
        };
        QCOMPARE(runWith(GuestTools::find(pattern[0]), pattern), 2);
        QCOMPARE(runWith(GuestTools::find(animate[0]), animate), 2);
        QCOMPARE(runWith(GuestTools::find(input[0]), input), 2);
    }

    void animateSummaryLine()
    {
        QCOMPARE(FbAnimateCommand::summary(1200, 10.0),
            std::string("fb-animate: 1200 frames in 10.0 s (120.0 fps)"));
        QCOMPARE(FbAnimateCommand::summary(1, 0.0),
            std::string("fb-animate: 1 frames in 0.0 s (0.0 fps)"));
    }

    void consoleParameter()
    {
        auto terminal = [](std::string_view line) {
            return SessionTerminal::fromKernelCommandLine(line);
        };
        QVERIFY(!terminal("console=ttyS0 quiet")->isDisplay());
        QCOMPARE(terminal("")->devicePath(), "/dev/ttyS0");
        QVERIFY(terminal("console=ttyS0 airlock.console=tty1 quiet")->isDisplay());
        QCOMPARE(terminal("airlock.console=tty1")->devicePath(), "/dev/tty1");
        QVERIFY(terminal("airlock.console=\"tty1\"")->isDisplay());
        QVERIFY(!terminal("airlock.console=ttyS0")->isDisplay());
        // The last one counts, as with other kernel parameters.
        QVERIFY(!terminal("airlock.console=tty1 airlock.console=ttyS0")->isDisplay());
        QVERIFY(terminal("airlock.console=ttyS0 airlock.console=tty1")->isDisplay());
        // After "--" the words are the session command's, not parameters.
        QVERIFY(!terminal("console=ttyS0 -- echo airlock.console=tty1")->isDisplay());
        // Other names are not this parameter.
        QVERIFY(!terminal("airlock.consoles=tty1 xairlock.console=tty1")->isDisplay());

        for (const char* refused :
            {"airlock.console=tty2", "airlock.console=", "airlock.console=TTY1",
                "airlock.console=/dev/tty1", "airlock.console=tty1,ttyS0"}) {
            Result<SessionTerminal> result = terminal(refused);
            QVERIFY2(!result, refused);
            QVERIFY2(messageOf(result.error()).startsWith("airlock.console: \"") &&
                    messageOf(result.error()).contains("(tty1 or ttyS0)"),
                qPrintable(messageOf(result.error())));
        }
        QCOMPARE(messageOf(terminal("airlock.console=tty2").error()),
            QStringLiteral("airlock.console: \"tty2\" is not a console the session can use (tty1 "
                           "or ttyS0)"));
        QString hostile = messageOf(terminal("airlock.console=\x1b]0;x\x07").error());
        QVERIFY2(!hostile.contains('\x1b') && !hostile.contains('\x07'), qPrintable(hostile));
    }

    void framebufferLayoutOfTheDefaultScreen()
    {
        Result<FramebufferLayout> layout = ScreenInfo().layout();
        QVERIFY2(layout, layout ? "" : layout.error().message().c_str());
        QCOMPARE(layout->width, kWidth);
        QCOMPARE(layout->height, kHeight);
        QCOMPARE(layout->lineLength, kWidth * 4);
        QCOMPARE(layout->originOffset, uint64_t {0});
        QCOMPARE(layout->mapBytes, uint64_t {kWidth} * 4 * kHeight);
        QCOMPARE(layout->rowOffset(799), uint64_t {799} * kWidth * 4);

        // Panned (a larger virtual screen and a y offset) and with padded rows.
        ScreenInfo panned;
        panned.variable.yres_virtual = 2 * kHeight;
        panned.variable.yoffset = kHeight;
        panned.fixed.line_length = 8192;
        panned.fixed.smem_len = 8192 * 2 * kHeight;
        layout = panned.layout();
        QVERIFY(layout);
        QCOMPARE(layout->originOffset, uint64_t {8192} * kHeight);
        QCOMPARE(layout->mapBytes, uint64_t {8192} * (2 * kHeight - 1) + kWidth * 4);
        QVERIFY(layout->mapBytes <= panned.fixed.smem_len);
    }

    void framebufferLayoutRefusesHostileScreenInfo()
    {
        auto refusedWith = [](const ScreenInfo& info, const char* expected) {
            Result<FramebufferLayout> layout = info.layout();
            if (layout)
                return QStringLiteral("accepted");
            QString message = messageOf(layout.error());
            return message.contains(expected) ? QString() : message;
        };
        std::vector<std::pair<ScreenInfo, const char*>> cases;
        auto add = [&](const char* expected, auto change) {
            ScreenInfo info;
            change(info);
            cases.emplace_back(info, expected);
        };
        add("16 bits per pixel", [](ScreenInfo& i) { i.variable.bits_per_pixel = 16; });
        add("24 bits per pixel", [](ScreenInfo& i) { i.variable.bits_per_pixel = 24; });
        add("not a packed true-colour",
            [](ScreenInfo& i) { i.fixed.visual = FB_VISUAL_PSEUDOCOLOR; });
        add("not a packed true-colour", [](ScreenInfo& i) { i.fixed.type = FB_TYPE_PLANES; });
        add("not XRGB8888", [](ScreenInfo& i) { std::swap(i.variable.red, i.variable.blue); });
        add("not XRGB8888", [](ScreenInfo& i) { i.variable.green.length = 6; });
        add("0x800 is not a screen size", [](ScreenInfo& i) { i.variable.xres = 0; });
        add("is not a screen size", [](ScreenInfo& i) { i.variable.yres = 0; });
        add("is not a screen size", [](ScreenInfo& i) {
            i.variable.xres = i.variable.xres_virtual = 0xffffffff;
            i.fixed.line_length = 0xffffffff;
            i.fixed.smem_len = 0xffffffff;
        });
        add("is not a screen size", [](ScreenInfo& i) { i.variable.yres = 4321; });
        add("does not fit the virtual one", [](ScreenInfo& i) { i.variable.xres_virtual = 1279; });
        // 32-bit sums that would wrap to small numbers.
        add("does not fit the virtual one", [](ScreenInfo& i) {
            i.variable.xoffset = 0xffffffff - 100;
            i.variable.xres_virtual = 0xffffffff;
        });
        add("does not fit the virtual one", [](ScreenInfo& i) {
            i.variable.yoffset = 0xffffffff;
            i.variable.yres_virtual = 0xffffffff;
        });
        add("does not hold 1280 pixels", [](ScreenInfo& i) { i.fixed.line_length = 1280 * 4 - 1; });
        add("does not hold 1280 pixels", [](ScreenInfo& i) { i.fixed.line_length = 0; });
        add("does not hold", [](ScreenInfo& i) { i.fixed.line_length = 0x80000000; });
        add("beyond the driver's 4095999 bytes", [](ScreenInfo& i) { i.fixed.smem_len -= 1; });
        add("beyond the driver's 0 bytes", [](ScreenInfo& i) { i.fixed.smem_len = 0; });
        // A y offset that puts the visible screen past the end of memory.
        add("beyond the driver's", [](ScreenInfo& i) {
            i.variable.yres_virtual = 0xffffffff;
            i.variable.yoffset = 0x10000000;
        });
        for (const auto& [info, expected] : cases) {
            QString problem = refusedWith(info, expected);
            QVERIFY2(problem.isEmpty(), qPrintable(QString(expected) + ": " + problem));
        }
    }

    void framebufferOpenSaysWhatIsMissing()
    {
        Result<Framebuffer> missing = Framebuffer::open("/nonexistent/fb0");
        QVERIFY(!missing);
        QCOMPARE(messageOf(missing.error()),
            QStringLiteral("no /nonexistent/fb0: this session has no display"));
        // A file that is not a framebuffer: the first ioctl fails, nothing is mapped.
        QTemporaryFile file;
        QVERIFY(file.open());
        Result<Framebuffer> notFramebuffer =
            Framebuffer::open(file.fileName().toLocal8Bit().constData());
        QVERIFY(!notFramebuffer);
        QVERIFY2(messageOf(notFramebuffer.error()).startsWith("FBIOGET_VSCREENINFO"),
            qPrintable(messageOf(notFramebuffer.error())));
    }

    void inputLines()
    {
        using Axis = InputEventsCommand::AxisRange;
        QCOMPARE(InputEventsCommand::deviceLine(
                     "/dev/input/event1", "Airlock tablet", Axis {0, 1279}, Axis {0, 799}),
            std::string("input-device /dev/input/event1 name=\"Airlock tablet\" abs_x=0..1279 "
                        "abs_y=0..799"));
        QCOMPARE(InputEventsCommand::deviceLine(
                     "/dev/input/event0", "Airlock keyboard", std::nullopt, std::nullopt),
            std::string("input-device /dev/input/event0 name=\"Airlock keyboard\""));
        QCOMPARE(
            InputEventsCommand::deviceLine("/dev/input/event2", "odd", Axis {-5, 5}, std::nullopt),
            std::string("input-device /dev/input/event2 name=\"odd\" abs_x=-5..5"));
        // A device name is the driver's: quotes and control characters cannot break the line.
        std::string hostile = InputEventsCommand::deviceLine(
            "/dev/input/event3", "a\"b\nc\\d" + std::string(300, 'x'), std::nullopt, std::nullopt);
        QCOMPARE(hostile.find('\n'), std::string::npos);
        QVERIFY(hostile.find("name=\"a?b?c?d") != std::string::npos);
        QVERIFY(hostile.size() < 200);
        QCOMPARE(InputEventsCommand::eventLine("/dev/input/event0", 1, 30, 1),
            std::string("input-event /dev/input/event0 type=1 code=30 value=1"));
        QCOMPARE(InputEventsCommand::eventLine("/dev/input/event1", 2, 8, -1),
            std::string("input-event /dev/input/event1 type=2 code=8 value=-1"));
    }

    void inputEventsAreReadFromEveryNode()
    {
        // FIFOs stand in for evdev nodes: the ioctls fail (no name, no axes), reads work alike.
        QTemporaryDir directory;
        QVERIFY(directory.isValid());
        for (const char* node : {"event0", "event3", "mice"})
            QCOMPARE(::mkfifo(directory.filePath(node).toLocal8Bit().constData(), 0600), 0);
        // O_RDWR keeps a writer, so that the tool sees neither end of file nor hang-up.
        int keyboard = ::open(directory.filePath("event0").toLocal8Bit().constData(), O_RDWR);
        int tablet = ::open(directory.filePath("event3").toLocal8Bit().constData(), O_RDWR);
        QVERIFY(keyboard >= 0 && tablet >= 0);
        writeEvent(tablet, EV_ABS, ABS_X, 640);
        writeEvent(tablet, EV_SYN, SYN_REPORT, 0);
        writeEvent(keyboard, EV_KEY, KEY_A, 1);
        writeEvent(keyboard, EV_SYN, SYN_REPORT, 0);

        auto [status, output] = watchInputs(directory.path(), {.count = 2, .timeoutSeconds = 10});
        QCOMPARE(status, 0);
        QString event0 = directory.filePath("event0"), event3 = directory.filePath("event3");
        QStringList lines = output.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 5);
        QCOMPARE(lines[0], "input-device " + event0 + " name=\"\"");
        QCOMPARE(lines[1], "input-device " + event3 + " name=\"\"");
        QCOMPARE(lines[2], QStringLiteral("input-ready"));
        QVERIFY(lines.contains("input-event " + event0 + " type=1 code=30 value=1"));
        QVERIFY(lines.contains("input-event " + event3 + " type=3 code=0 value=640"));

        // Nothing more comes: the timeout ends it with status 1, on time.
        QElapsedTimer clock;
        clock.start();
        auto [timedOut, quiet] = watchInputs(directory.path(), {.count = 1, .timeoutSeconds = 1});
        QCOMPARE(timedOut, 1);
        QVERIFY2(clock.elapsed() >= 900 && clock.elapsed() < 5000,
            qPrintable(QString::number(clock.elapsed())));
        QVERIFY(quiet.endsWith("input-ready\n"));
        ::close(keyboard);
        ::close(tablet);

        QTemporaryDir empty;
        QCOMPARE(watchInputs(empty.path(), {}).first, 1);
    }

    void inputNodeNames()
    {
        QCOMPARE(InputEventsCommand::eventNumber("event0"), std::optional<unsigned>(0));
        QCOMPARE(InputEventsCommand::eventNumber("event12"), std::optional<unsigned>(12));
        for (const char* other : {"event", "mouse0", "mice", "event1a", "event-1", "event+1",
                 "by-path", "event99999999999"})
            QVERIFY2(!InputEventsCommand::eventNumber(other), other);
    }
};

QTEST_GUILESS_MAIN(GuestDisplayTest)

#include "tst_guest_display.moc"
