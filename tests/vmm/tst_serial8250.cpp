// The console UART as the guest's 8250 driver and the user at the console meet it: the probe
// Linux runs to recognise a 16550A, the transmit and receive paths, and the interrupt line.

#include "FakeInterruptLine.h"
#include "devices/Serial8250.h"

#include <memory>
#include <string>
#include <vector>

#include <QTest>

using vmm::Serial8250;

namespace {

// Values a guest writes or expects, spelled as in the PC16550D data sheet.
constexpr uint8_t kIerERBFI = 0x01;
constexpr uint8_t kIerETBEI = 0x02;
constexpr uint8_t kIerAll = 0x0f;
constexpr uint8_t kIirNone = 0x01;
constexpr uint8_t kIirModemStatus = 0x00;
constexpr uint8_t kIirTransmitterEmpty = 0x02;
constexpr uint8_t kIirReceivedData = 0x04;
constexpr uint8_t kIirLineStatus = 0x06;
constexpr uint8_t kIirFifos = 0xc0;
constexpr uint8_t kLcrDLAB = 0x80;
constexpr uint8_t kMcrOUT2 = 0x08;
constexpr uint8_t kMcrLOOP = 0x10;
constexpr uint8_t kLsrDR = 0x01;
constexpr uint8_t kLsrOE = 0x02;
constexpr uint8_t kLsrTHRE = 0x20;
constexpr uint8_t kLsrTEMT = 0x40;

// A UART with a fake interrupt line and an output that collects what the guest transmits.
struct Uart {
    std::shared_ptr<FakeInterruptLine> line = std::make_shared<FakeInterruptLine>();
    std::shared_ptr<std::string> output = std::make_shared<std::string>();
    Serial8250 device {line, [sink = output](std::span<const uint8_t> bytes) {
                           sink->append(bytes.begin(), bytes.end());
                       }};

    uint8_t in(uint64_t offset)
    {
        uint8_t value = 0;
        device.read(offset, std::span(&value, 1));
        return value;
    }
    void out(uint64_t offset, uint8_t value) { device.write(offset, std::span(&value, 1)); }
    size_t queue(const std::string& text)
    {
        return device.queueInput(
            std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    }
    // What Linux's driver does once a port is open: interrupts on, routed by OUT2.
    void openLikeLinux(uint8_t ier)
    {
        out(Serial8250::kMCR, kMcrOUT2 | 0x03); // OUT2 | RTS | DTR
        out(Serial8250::kIER, ier);
    }
};

} // namespace

class Serial8250Test : public QObject {
    Q_OBJECT

private slots:
    void registersReadBackWhatWasWritten()
    {
        Uart uart;
        uart.out(Serial8250::kSCR, 0xa5);
        QCOMPARE(uart.in(Serial8250::kSCR), uint8_t {0xa5});
        uart.out(Serial8250::kLCR, 0x1b);
        QCOMPARE(uart.in(Serial8250::kLCR), uint8_t {0x1b});
        // Linux's autoconfig writes 0 and 0x0f to IER and needs exactly those back; it also
        // writes bit 6 to spot XScale UARTs, which a 16550A does not keep.
        uart.out(Serial8250::kIER, 0);
        QCOMPARE(uart.in(Serial8250::kIER), uint8_t {0});
        uart.out(Serial8250::kIER, 0xff);
        QCOMPARE(uart.in(Serial8250::kIER), uint8_t {0x0f});
        uart.out(Serial8250::kMCR, 0xff);
        QCOMPARE(uart.in(Serial8250::kMCR), uint8_t {0x1f});
    }

    void dlabSwitchesToTheDivisorLatch()
    {
        Uart uart;
        uart.out(Serial8250::kIER, 0x05);
        uart.out(Serial8250::kLCR, kLcrDLAB | 0x03);
        uart.out(Serial8250::kDLL, 0x01); // 115200 baud
        uart.out(Serial8250::kDLM, 0x00);
        QCOMPARE(uart.in(Serial8250::kDLL), uint8_t {0x01});
        QCOMPARE(uart.in(Serial8250::kDLM), uint8_t {0x00});
        QVERIFY(uart.output->empty()); // a divisor write is not a transmitted byte
        uart.out(Serial8250::kLCR, 0x03);
        QCOMPARE(uart.in(Serial8250::kIER), uint8_t {0x05});
        uart.out(Serial8250::kLCR, kLcrDLAB | 0x03);
        QCOMPARE(uart.in(Serial8250::kDLL), uint8_t {0x01});
    }

    void fifoControlMakesLinuxSeeA16550A()
    {
        Uart uart;
        QCOMPARE(uart.in(Serial8250::kIIR), kIirNone); // FIFOs off: a 16450 at reset
        // autoconfig: FIFO enable (and the 16750's 64-byte bit) must read back as 0xc0 only.
        uart.out(Serial8250::kFCR, 0x21);
        QCOMPARE(uart.in(Serial8250::kIIR), uint8_t {kIirFifos | kIirNone});
        uart.out(Serial8250::kLCR, kLcrDLAB);
        QCOMPARE(uart.in(Serial8250::kIIR) >> 5, 6); // not 7: no TI16750
        uart.out(Serial8250::kLCR, 0);
        uart.out(Serial8250::kFCR, 0);
        QCOMPARE(uart.in(Serial8250::kIIR), kIirNone);
    }

    void enablingTransmitInterruptRaisesThreAtOnce()
    {
        Uart uart;
        uart.out(Serial8250::kMCR, kMcrOUT2);
        // Linux's UART_BUG_THRE probe: enable ETBEI, read IIR, disable, enable, read IIR.
        uart.out(Serial8250::kIER, kIerETBEI);
        QVERIFY(uart.line->isAsserted());
        QCOMPARE(uart.in(Serial8250::kIIR), kIirTransmitterEmpty);
        QCOMPARE(uart.in(Serial8250::kIIR), kIirNone); // reading IIR cleared it
        QVERIFY(!uart.line->isAsserted());
        uart.out(Serial8250::kIER, 0);
        uart.out(Serial8250::kIER, kIerETBEI);
        QCOMPARE(uart.in(Serial8250::kIIR), kIirTransmitterEmpty);
        QCOMPARE(uart.line->levels(), (std::vector<bool> {true, false, true, false}));
    }

    void transmittedBytesReachTheOutputAtOnce()
    {
        Uart uart;
        uart.openLikeLinux(kIerETBEI);
        QCOMPARE(uart.in(Serial8250::kIIR), kIirTransmitterEmpty);
        for (char c : std::string("login: "))
            uart.out(Serial8250::kTHR, static_cast<uint8_t>(c));
        QCOMPARE(*uart.output, std::string("login: "));
        QCOMPARE(uart.device.counters().bytesOut, uint64_t {7});
        // The transmitter is always empty, and each write asks for the next byte.
        QCOMPARE(uart.in(Serial8250::kLSR) & (kLsrTHRE | kLsrTEMT), kLsrTHRE | kLsrTEMT);
        QCOMPARE(uart.in(Serial8250::kIIR), kIirTransmitterEmpty);
        QCOMPARE(uart.in(Serial8250::kIIR), kIirNone);
    }

    void loopbackReflectsModemControlAndReturnsBytes()
    {
        Uart uart;
        QCOMPARE(uart.in(Serial8250::kMSR)&0xf0, 0xb0); // DCD | DSR | CTS: a terminal is there
        // Linux's autoconfig loopback test: MCR = LOOP | OUT2 | RTS must give DCD | CTS.
        uart.out(Serial8250::kMCR, 0x1a);
        QCOMPARE(uart.in(Serial8250::kMSR)&0xf0, 0x90);
        uart.out(Serial8250::kMCR, 0x1f);
        QCOMPARE(uart.in(Serial8250::kMSR)&0xf0, 0xf0);
        uart.out(Serial8250::kMCR, kMcrLOOP);
        QCOMPARE(uart.in(Serial8250::kMSR)&0xf0, 0x00);

        uart.out(Serial8250::kTHR, 'Q');
        QVERIFY(uart.output->empty());
        QCOMPARE(uart.in(Serial8250::kLSR)&kLsrDR, kLsrDR);
        QCOMPARE(uart.in(Serial8250::kRBR), uint8_t {'Q'});
        QCOMPARE(uart.in(Serial8250::kLSR)&kLsrDR, 0);

        uart.out(Serial8250::kMCR, 0);
        QCOMPARE(uart.in(Serial8250::kMSR)&0xf0, 0xb0);
        uart.out(Serial8250::kTHR, 'R');
        QCOMPARE(*uart.output, std::string("R"));
    }

    void queuedInputIsReadByteByByte()
    {
        Uart uart;
        uart.openLikeLinux(kIerERBFI);
        QCOMPARE(uart.queue("ls\n"), size_t {3});
        QVERIFY(uart.line->isAsserted());
        QCOMPARE(uart.in(Serial8250::kIIR), kIirReceivedData);
        std::string received;
        while (uart.in(Serial8250::kLSR)&kLsrDR)
            received += static_cast<char>(uart.in(Serial8250::kRBR));
        QCOMPARE(received, std::string("ls\n"));
        QCOMPARE(uart.in(Serial8250::kIIR), kIirNone);
        QCOMPARE(uart.line->levels(), (std::vector<bool> {true, false}));
        QCOMPARE(uart.device.counters().bytesIn, uint64_t {3});
    }

    void inputWaitsUntilTheGuestListens()
    {
        Uart uart;
        // Before the driver enables its receive interrupt (at boot, Linux resets the FIFOs and
        // reads RBR to clear it) nothing is taken: the caller keeps the bytes.
        QVERIFY(!uart.device.canAcceptInput());
        QCOMPARE(uart.queue("early"), size_t {0});
        uart.out(Serial8250::kFCR, 0x07);
        uart.in(Serial8250::kRBR);
        uart.openLikeLinux(kIerERBFI);
        QVERIFY(uart.device.canAcceptInput());
        QCOMPARE(uart.queue("early"), size_t {5});
        // A later FIFO reset (Linux's set_termios does one) does not lose what the user typed.
        uart.out(Serial8250::kFCR, 0x07);
        QCOMPARE(uart.in(Serial8250::kRBR), uint8_t {'e'});
        // In loopback the serial input is disconnected.
        uart.out(Serial8250::kMCR, kMcrLOOP | kMcrOUT2);
        QVERIFY(!uart.device.canAcceptInput());
        QCOMPARE(uart.queue("x"), size_t {0});
    }

    void fullReceiveBufferRefusesTheRest()
    {
        Uart uart;
        uart.openLikeLinux(kIerERBFI);
        std::string input;
        for (size_t i = 0; i < Serial8250::kReceiveCapacity + 100; ++i)
            input += static_cast<char>('a' + i % 26);
        QCOMPARE(uart.queue(input), Serial8250::kReceiveCapacity);
        QVERIFY(!uart.device.canAcceptInput());
        QCOMPARE(uart.queue(input.substr(Serial8250::kReceiveCapacity)), size_t {0});
        QCOMPARE(uart.device.counters().inputRefusals, uint64_t {2});

        // Reading one byte makes room for exactly one more; nothing was lost or reordered.
        QCOMPARE(uart.in(Serial8250::kRBR), uint8_t {'a'});
        QCOMPARE(uart.queue(input.substr(Serial8250::kReceiveCapacity)), size_t {1});
        std::string received = "a";
        while (uart.in(Serial8250::kLSR)&kLsrDR)
            received += static_cast<char>(uart.in(Serial8250::kRBR));
        QCOMPARE(received, input.substr(0, Serial8250::kReceiveCapacity + 1));
        QCOMPARE(uart.in(Serial8250::kLSR)&kLsrOE, 0); // host input never overruns
    }

    void interruptIdentificationFollowsPriority()
    {
        Uart uart;
        uart.out(Serial8250::kFCR, 0x01);
        uart.out(Serial8250::kIER, kIerAll);
        // Entering loopback drops CTS and DSR: a modem status change (lowest priority).
        uart.out(Serial8250::kMCR, kMcrLOOP | kMcrOUT2);
        // Overfill the receiver through loopback: an overrun error (highest priority).
        for (size_t i = 0; i <= Serial8250::kReceiveCapacity; ++i)
            uart.out(Serial8250::kTHR, static_cast<uint8_t>(i));

        QCOMPARE(uart.in(Serial8250::kIIR), uint8_t {kIirFifos | kIirLineStatus});
        QCOMPARE(uart.in(Serial8250::kLSR) & (kLsrOE | kLsrDR), kLsrOE | kLsrDR);
        QCOMPARE(uart.in(Serial8250::kIIR), uint8_t {kIirFifos | kIirReceivedData});
        for (size_t i = 0; i < Serial8250::kReceiveCapacity; ++i)
            uart.in(Serial8250::kRBR);
        QCOMPARE(uart.in(Serial8250::kIIR), uint8_t {kIirFifos | kIirTransmitterEmpty});
        QCOMPARE(uart.in(Serial8250::kIIR), uint8_t {kIirFifos | kIirModemStatus});
        QCOMPARE(uart.in(Serial8250::kMSR)&0x0f, 0x03); // DCTS | DDSR, cleared by the read
        QCOMPARE(uart.in(Serial8250::kIIR), uint8_t {kIirFifos | kIirNone});
        QVERIFY(!uart.line->isAsserted());
    }

    void interruptLineFollowsOut2AndChangesOnlyOnTransitions()
    {
        Uart uart;
        uart.out(Serial8250::kIER, kIerETBEI);
        QCOMPARE(uart.in(Serial8250::kIIR), kIirTransmitterEmpty);
        uart.out(Serial8250::kTHR, 'a');
        QVERIFY(uart.line->levels().empty()); // pending, but OUT2 keeps it off the bus

        uart.out(Serial8250::kMCR, kMcrOUT2);
        uart.out(Serial8250::kTHR, 'b'); // still pending: no second call
        uart.out(Serial8250::kTHR, 'c');
        uart.out(Serial8250::kIER, kIerETBEI | kIerERBFI);
        QCOMPARE(uart.line->levels(), (std::vector<bool> {true}));

        QCOMPARE(uart.in(Serial8250::kIIR), kIirTransmitterEmpty);
        QCOMPARE(uart.line->levels(), (std::vector<bool> {true, false}));
        uart.in(Serial8250::kIIR);
        uart.in(Serial8250::kLSR);
        QCOMPARE(uart.line->levels().size(), size_t {2});

        uart.out(Serial8250::kTHR, 'd');
        uart.out(Serial8250::kMCR, 0);
        QCOMPARE(uart.line->levels(), (std::vector<bool> {true, false, true, false}));
        QCOMPARE(*uart.output, std::string("abcd"));
    }

    void wrongWidthsAndUnknownOffsetsAreIgnored()
    {
        Uart uart;
        uart.out(Serial8250::kSCR, 0x42);
        const uint8_t wide[2] = {'x', 'y'};
        uart.device.write(Serial8250::kTHR, wide);
        uart.device.write(Serial8250::kSCR, wide);
        uart.device.write(8, std::span(wide, 1));
        QVERIFY(uart.output->empty());
        QCOMPARE(uart.in(Serial8250::kSCR), uint8_t {0x42});
        uint8_t readWide[2] = {0xee, 0xee};
        uart.device.read(Serial8250::kSCR, readWide);
        QCOMPARE(readWide[0], uint8_t {0xee}); // untouched: the bus's zero fill stands
        QCOMPARE(uart.in(8), uint8_t {0});
    }
};

QTEST_APPLESS_MAIN(Serial8250Test)
#include "tst_serial8250.moc"
