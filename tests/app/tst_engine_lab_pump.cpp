// airlock-relay, the KVM lab's control-channel relay, on this machine with a raw pseudo-terminal
// standing in for the lab's virtio-serial port: COMMAND gets a stream socket under the number it
// was told (--control-fd N keeps working), bytes go both ways unchanged, COMMAND's last words
// reach the port after it exits, and the relay exits with COMMAND's status.

#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <QDeadlineTimer>
#include <QProcess>
#include <QTest>

namespace {
// A pseudo-terminal in raw mode: what goes in one side comes out of the other unchanged.
struct RawPty {
    int master = -1;
    QString slavePath;

    bool open()
    {
        master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0)
            return false;
        slavePath = QString::fromLocal8Bit(::ptsname(master));
        termios settings {};
        if (::tcgetattr(master, &settings) != 0)
            return false;
        ::cfmakeraw(&settings);
        return ::tcsetattr(master, TCSANOW, &settings) == 0;
    }
    ~RawPty()
    {
        if (master >= 0)
            ::close(master);
    }

    // Reads from the master until `count` bytes came or 10 s passed.
    QByteArray read(qsizetype count) const
    {
        QByteArray got;
        QDeadlineTimer deadline(10000);
        while (got.size() < count && !deadline.hasExpired()) {
            pollfd fd {master, POLLIN, 0};
            if (::poll(&fd, 1, 100) <= 0)
                continue;
            char buffer[4096];
            ssize_t n = ::read(master, buffer, sizeof buffer);
            if (n <= 0)
                break;
            got.append(buffer, n);
        }
        return got;
    }
};
} // namespace

class EngineLabPumpTest : public QObject {
    Q_OBJECT

private slots:
    void theCommandTalksThroughThePortOnItsOwnDescriptor()
    {
        RawPty pty;
        QVERIFY(pty.open());
        QProcess relay;
        relay.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        // the command checks that descriptor 5 is a socket, answers a question in upper case,
        // then says goodbye after its input ended and exits with status 7
        relay.start(QStringLiteral(AIRLOCK_RELAY),
            {"--device", pty.slavePath, "--fd", "5", "--", "sh", "-c",
                "case $(readlink /proc/$$/fd/5) in socket:*) ;; *) exit 9 ;; esac; "
                "head -c 6 <&5 | tr a-z A-Z >&5; echo ' bye' >&5; exit 7"});
        QVERIFY(relay.waitForStarted());
        const QByteArray question = "hello?";
        QCOMPARE(::write(pty.master, question.constData(), size_t(question.size())),
            ssize_t(question.size()));
        QCOMPARE(pty.read(11), QByteArray("HELLO? bye\n"));
        QVERIFY(relay.waitForFinished(10000));
        QCOMPARE(relay.exitStatus(), QProcess::NormalExit);
        QCOMPARE(relay.exitCode(), 7);
    }

    void aCommandThatCannotRunIsReported()
    {
        RawPty pty;
        QVERIFY(pty.open());
        QProcess relay;
        relay.start(QStringLiteral(AIRLOCK_RELAY),
            {"--device", pty.slavePath, "--fd", "5", "--", "/nonexistent/airlock-vmm"});
        QVERIFY(relay.waitForFinished(10000));
        QCOMPARE(relay.exitCode(), 127);
        QVERIFY(relay.readAllStandardError().contains("cannot run /nonexistent/airlock-vmm"));
    }

    void aMissingPortIsALabFailure()
    {
        QProcess relay;
        relay.start(QStringLiteral(AIRLOCK_RELAY),
            {"--device", "/nonexistent/vport0p1", "--fd", "5", "--", "true"});
        QVERIFY(relay.waitForFinished(10000));
        QCOMPARE(relay.exitCode(), 125); // tests/lab/run's "the lab failed"
        QVERIFY(relay.readAllStandardError().contains("/nonexistent/vport0p1"));
    }
};

QTEST_GUILESS_MAIN(EngineLabPumpTest)
#include "tst_engine_lab_pump.moc"
