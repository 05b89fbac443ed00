// The kernel command line carries the user's kernel parameters and the guest command to init.
// What the kernel splits differently from what the user typed, or panics on, is refused here with
// a message instead (init/main.c, lib/cmdline.c next_arg).

#include "boot/KernelCommandLine.h"

#include <string>
#include <vector>

#include <QTest>

#include "TestHelpers.h"

Q_DECLARE_METATYPE(std::vector<std::string>)

namespace {

using Arguments = std::vector<std::string>;

vmm::Result<std::string> build(
    std::string_view appended, const Arguments& arguments, size_t limit = 2047)
{
    return vmm::buildKernelCommandLine("console=ttyS0 quiet", appended, arguments, limit);
}


} // namespace

class KernelCommandLineTest : public QObject {
    Q_OBJECT

private slots:
    void airlockDefaultsKeepTheConsoleAndStopOnPanic()
    {
        // Without these the user sees no console output, or a panicked guest hangs the session.
        std::string_view defaults = vmm::kDefaultKernelCommandLine;
        QVERIFY(defaults.find("console=ttyS0") != std::string_view::npos);
        QVERIFY(defaults.find("panic=-1") != std::string_view::npos);
        QVERIFY(defaults.find("reboot=k") != std::string_view::npos);
    }

    void joinsDefaultsAppendedTextAndInitArguments_data()
    {
        QTest::addColumn<QString>("appended");
        QTest::addColumn<Arguments>("arguments");
        QTest::addColumn<QString>("expected");
        QTest::newRow("defaults only") << "" << Arguments {} << "console=ttyS0 quiet";
        QTest::newRow("appended") << "loglevel=7 ro" << Arguments {}
                                  << "console=ttyS0 quiet loglevel=7 ro";
        QTest::newRow("command") << "" << Arguments {"/bin/echo", "hi"}
                                 << "console=ttyS0 quiet -- /bin/echo hi";
        QTest::newRow("appended and command") << "loglevel=7" << Arguments {"uname", "-a"}
                                              << "console=ttyS0 quiet loglevel=7 -- uname -a";
        QTest::newRow("argument with spaces is quoted")
            << "" << Arguments {"sh", "-c", "echo hello world"}
            << "console=ttyS0 quiet -- sh -c \"echo hello world\"";
        QTest::newRow("single quotes inside a quoted argument")
            << "" << Arguments {"sh", "-c", "echo 'a  b'"}
            << "console=ttyS0 quiet -- sh -c \"echo 'a  b'\"";
        QTest::newRow("empty argument is kept")
            << "" << Arguments {"printf", ""} << "console=ttyS0 quiet -- printf \"\"";
        QTest::newRow("argument with =")
            << "" << Arguments {"env", "A=1"} << "console=ttyS0 quiet -- env A=1";
        QTest::newRow("-- inside words is no separator")
            << "foo--bar x=--" << Arguments {"ls", "--all"}
            << "console=ttyS0 quiet foo--bar x=-- -- ls --all";
        QTest::newRow("quoted parameter value")
            << "dyndbg=\"file a.c +p\"" << Arguments {"true"}
            << "console=ttyS0 quiet dyndbg=\"file a.c +p\" -- true";
        QTest::newRow("init arguments in appended text, no command")
            << "init=/bin/sh -- -x" << Arguments {} << "console=ttyS0 quiet init=/bin/sh -- -x";
    }
    void joinsDefaultsAppendedTextAndInitArguments()
    {
        QFETCH(QString, appended);
        QFETCH(Arguments, arguments);
        QFETCH(QString, expected);
        auto line = build(appended.toStdString(), arguments);
        QVERIFY2(line, line ? "" : line.error().message().c_str());
        QCOMPARE(QString::fromStdString(*line), expected);
    }

    void argumentWithAByteTheKernelTakesForSpaceIsQuoted_data()
    {
        // The kernel's isspace() is Latin-1: byte 0xa0 separates words, and it occurs inside UTF-8
        // text ("à" is c3 a0, a no-break space c2 a0). Unquoted, init gets the word cut in two.
        QTest::addColumn<QByteArray>("argument");
        QTest::newRow("a grave") << QByteArray("voil\xc3\xa0");
        QTest::newRow("no-break space") << QByteArray("10\xc2\xa0km");
    }
    void argumentWithAByteTheKernelTakesForSpaceIsQuoted()
    {
        QFETCH(QByteArray, argument);
        auto line = build("", {"echo", argument.toStdString()});
        if (!line) {
            // Refusing it is as good as quoting it, if the message says which argument.
            QVERIFY2(line.error().message().find("argument 2") != std::string::npos,
                line.error().message().c_str());
            return;
        }
        std::string quoted = " -- echo \"" + argument.toStdString() + "\"";
        QVERIFY2(line->ends_with(quoted), ("the kernel splits this argument: " + *line).c_str());
    }

    void unsafeInputIsRefused_data()
    {
        QTest::addColumn<QString>("appended");
        QTest::addColumn<Arguments>("arguments");
        QTest::addColumn<QStringList>("keywords");
        QTest::newRow("newline in appended text")
            << "quiet\ninit=/bin/sh" << Arguments {} << QStringList {"control character"};
        QTest::newRow("tab in appended text")
            << "a=1\tb=2" << Arguments {} << QStringList {"control character"};
        QTest::newRow("DEL in appended text")
            << "a=\x7f" << Arguments {} << QStringList {"control character"};
        QTest::newRow("newline in an argument")
            << "" << Arguments {"echo", "a\nb"} << QStringList {"argument 2", "control character"};
        QTest::newRow("escape in an argument") << "" << Arguments {"printf", "x", "\x1b[0m"}
                                               << QStringList {"argument 3", "control character"};
        QTest::newRow("double quote in an argument")
            << "" << Arguments {"echo", "say \"hi\""} << QStringList {"argument 2", "double quote"};
        QTest::newRow("lone double quote argument")
            << "" << Arguments {"\""} << QStringList {"argument 1", "double quote"};
        QTest::newRow("appended -- and a command")
            << "loglevel=7 -- -x" << Arguments {"ls"} << QStringList {"' -- '", "only once"};
        QTest::newRow("appended ends in --")
            << "loglevel=7 --" << Arguments {"ls"} << QStringList {"' -- '"};
        QTest::newRow("appended is --") << "--" << Arguments {"ls"} << QStringList {"' -- '"};
    }
    void unsafeInputIsRefused()
    {
        QFETCH(QString, appended);
        QFETCH(Arguments, arguments);
        QFETCH(QStringList, keywords);
        auto line = build(appended.toStdString(), arguments);
        QVERIFY2(!line, line ? ("accepted: " + *line).c_str() : "");
        std::string message = line.error().message();
        QVERIFY2(containsAll(message, keywords), message.c_str());
    }

    void unbalancedQuoteInAppendedTextCannotSwallowTheCommand()
    {
        // After an unbalanced '"' the kernel reads the rest of the line, " -- ls" included, as one
        // parameter value: init never sees the command and the guest runs a shell instead.
        auto line = build("acpi=\"off", {"ls"});
        QVERIFY2(!line, line ? ("accepted: " + *line).c_str() : "");
        QVERIFY2(line.error().message().find("quote") != std::string::npos,
            line.error().message().c_str());
    }

    void lengthLimitIsExact()
    {
        Arguments arguments {"sh", "-c", "echo ready"};
        auto unlimited = build("loglevel=7", arguments, 100000);
        QVERIFY2(unlimited, unlimited ? "" : unlimited.error().message().c_str());
        size_t length = unlimited->size();

        auto atLimit = build("loglevel=7", arguments, length);
        QVERIFY2(atLimit, atLimit ? "" : atLimit.error().message().c_str());
        QCOMPARE(*atLimit, *unlimited);

        auto overLimit = build("loglevel=7", arguments, length - 1);
        QVERIFY2(!overLimit, "a command line one byte over the limit was accepted");
        std::string message = overLimit.error().message();
        QVERIFY2(
            containsAll(message,
                {QString::number(length) + " bytes", "at most " + QString::number(length - 1)}),
            message.c_str());
    }

    void atMostThirtyInitArguments()
    {
        // More than the kernel's argv slots for init makes it panic ("Too many boot init vars").
        Arguments thirty(30, "x");
        auto accepted = build("", thirty);
        QVERIFY2(accepted, accepted ? "" : accepted.error().message().c_str());
        QVERIFY(
            accepted->ends_with(" -- x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x"));

        Arguments thirtyOne(31, "x");
        auto refused = build("", thirtyOne);
        QVERIFY2(!refused, "31 init arguments were accepted");
        QVERIFY2(containsAll(refused.error().message(), {"31 arguments", "at most 30"}),
            refused.error().message().c_str());
    }
};

QTEST_APPLESS_MAIN(KernelCommandLineTest)
#include "tst_kernel_command_line.moc"
