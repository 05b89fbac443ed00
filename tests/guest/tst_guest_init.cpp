// The pure decisions of the guest's PID 1 (vmm/guest): the status byte the host receives, what
// busybox's poweroff/halt/reboot mean, which command runs, and the readiness line.

#include "guest/ExitStatus.h"
#include "guest/SessionCommand.h"
#include "guest/Shutdown.h"
#include "guest/SystemSummary.h"

#include <cerrno>
#include <csignal>
#include <vector>

#include <QTest>

using namespace vmm::guest;

namespace {
// waitpid statuses as Linux encodes them: exit code in bits 8..15, terminating signal in 0..6.
int exitedWith(int code)
{
    return code << 8;
}
int killedBy(int signal)
{
    return signal;
}

SessionCommand commandFrom(std::vector<const char*> argv)
{
    return SessionCommand::fromInitArguments(static_cast<int>(argv.size()),
        const_cast<char**>(argv.data()), argv.size() - 1);
}
} // namespace

class GuestInitTest : public QObject {
    Q_OBJECT

private slots:
    void exitCodeIsTheStatus()
    {
        QCOMPARE(ExitStatus::fromWaitStatus(exitedWith(0)).value(), 0);
        QCOMPARE(ExitStatus::fromWaitStatus(exitedWith(7)).value(), 7);
        QCOMPARE(ExitStatus::fromWaitStatus(exitedWith(255)).value(), 255);
        QCOMPARE(ExitStatus::fromWaitStatus(exitedWith(7)).description(), std::string("exit 7"));
    }

    void signalIs128PlusItsNumber()
    {
        QCOMPARE(ExitStatus::fromWaitStatus(killedBy(SIGKILL)).value(), 137);
        QCOMPARE(ExitStatus::fromWaitStatus(killedBy(SIGINT)).value(), 130);
        QCOMPARE(ExitStatus::fromWaitStatus(killedBy(SIGKILL)).description(),
            std::string("signal 9 (exit 137)"));
    }

    void execFailuresAsAShellReportsThem()
    {
        QCOMPARE(ExitStatus::fromExecError(ENOENT).value(), 127);
        QCOMPARE(ExitStatus::fromExecError(EACCES).value(), 126);
    }

    void busyboxRequestsMapToShutdowns()
    {
        QCOMPARE(Shutdown::kindForSignal(SIGUSR2), Shutdown::Kind::PowerOff); // poweroff
        QCOMPARE(Shutdown::kindForSignal(SIGUSR1), Shutdown::Kind::PowerOff); // halt
        QCOMPARE(Shutdown::kindForSignal(SIGTERM), Shutdown::Kind::Reboot); // reboot
        QVERIFY(!Shutdown::kindForSignal(SIGCHLD));
    }

    void noWordsMeansALoginShell()
    {
        SessionCommand command = commandFrom({"/init"});
        QCOMPARE(command.program(), std::string("/bin/sh"));
        QCOMPARE(command.arguments(), std::vector<std::string> {"-sh"});
    }

    void wordsAfterInitAreTheCommandVerbatim()
    {
        SessionCommand command = commandFrom({"/init", "sh", "-c", "echo hi; exit 7", "two words"});
        QCOMPARE(command.program(), std::string("sh"));
        QCOMPARE(command.arguments(),
            (std::vector<std::string> {"sh", "-c", "echo hi; exit 7", "two words"}));
    }

    void readinessLineStartsWithWhatTheHostWaitsFor()
    {
        std::string line = "airlock-guest: " + SystemSummary("6.1.0", 2, 502340).readinessMessage();
        QCOMPARE(line, std::string("airlock-guest: ready (linux 6.1.0, 2 cpus, 502340 kB)"));
        QCOMPARE(SystemSummary("6.1.0", 1, 1024).readinessMessage(),
            std::string("ready (linux 6.1.0, 1 cpu, 1024 kB)"));
    }

    void onlyTheWordsAfterTheSeparatorAreTheCommand_data()
    {
        QTest::addColumn<QString>("commandLine");
        QTest::addColumn<int>("words");
        QTest::newRow("no separator") << "console=ttyS0 quiet" << 0;
        QTest::newRow("plain") << "console=ttyS0 -- sh -c x" << 3;
        QTest::newRow("quoted words") << "quiet -- sh -c \"echo a b\" \"two words\"" << 4;
        QTest::newRow("quoted separator") << "a=\"x -- y\" -- true" << 1;
        QTest::newRow("separator inside a word") << "foo--bar -- true" << 1;
        QTest::newRow("separator last") << "quiet --" << 0;
    }
    void onlyTheWordsAfterTheSeparatorAreTheCommand()
    {
        QFETCH(QString, commandLine);
        QFETCH(int, words);
        QCOMPARE(SessionCommand::countCommandWords(commandLine.toStdString()), static_cast<size_t>(words));
    }

    void strayKernelParametersAreNotTheCommand()
    {
        // "foo" was appended to the kernel command line; the kernel passes it to init first.
        std::vector<const char*> argv { "/init", "foo", "sh", "-c", "exit 3" };
        SessionCommand command = SessionCommand::fromInitArguments(
            static_cast<int>(argv.size()), const_cast<char**>(argv.data()), 3);
        QCOMPARE(command.program(), std::string("sh"));
        QCOMPARE(command.arguments().size(), size_t { 3 });

        SessionCommand shell = SessionCommand::fromInitArguments(2, const_cast<char**>(argv.data()), 0);
        QCOMPARE(shell.program(), std::string("/bin/sh"));
    }
};

QTEST_GUILESS_MAIN(GuestInitTest)

#include "tst_guest_init.moc"
