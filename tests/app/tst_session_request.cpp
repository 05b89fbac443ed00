// SessionRequest: the defaults a user starts from, the message each invalid field shows, and
// the command line split as a shell would split it.

#include "CommandLine.h"
#include "SessionRequest.h"

#include <QTest>

using app::CommandLine;
using app::FieldProblem;
using app::HostLimits;
using app::SessionField;
using app::SessionRequest;

namespace {

HostLimits fourCoresEightGiB()
{
    return HostLimits {4, 4096};
}

SessionRequest validRequest()
{
    SessionRequest request;
    request.name = QStringLiteral("Session 3");
    request.purpose = QStringLiteral("Cohort summary for the cardiology audit, Q3");
    return request;
}

// The one problem `request` has, for checking which field it names and what it says.
FieldProblem onlyProblem(const SessionRequest& request)
{
    QList<FieldProblem> problems = request.validate(fourCoresEightGiB());
    if (problems.size() != 1)
        qFatal("expected exactly one problem, got %d", static_cast<int>(problems.size()));
    return problems.front();
}

} // namespace

class SessionRequestTest : public QObject {
    Q_OBJECT

private slots:
    void defaultsAreTheDocumentedOnes()
    {
        SessionRequest request;
        QCOMPARE(request.vcpus, 2);
        QCOMPARE(request.memoryMiB, 2048);
        QCOMPARE(request.lifetimeMinutes, 8 * 60);
        QCOMPARE(request.scratchMiB, 4 * 1024);
        QVERIFY(request.command.isEmpty()); // the interactive shell
        QVERIFY(request.datasets.isEmpty());
        QCOMPARE(request.mainView, app::MainView::Console);
        QCOMPARE(request.displaySize, QSize(1280, 800));
        QVERIFY(!request.allowExternalViewers); // no port unless the user asks
    }

    void aScreenIsHeldToWhatTheEngineAccepts()
    {
        SessionRequest request = validRequest();
        request.displaySize = QSize(8000, 800);
        FieldProblem problem = onlyProblem(request);
        QCOMPARE(problem.field, SessionField::Display);
        QVERIFY2(problem.message.contains(QStringLiteral("7680")), qPrintable(problem.message));
        request.displaySize = QSize(100, 100);
        QCOMPARE(onlyProblem(request).field, SessionField::Display);
        request.displaySize = QSize(1920, 1080);
        QVERIFY(request.validate(fourCoresEightGiB()).isEmpty());
    }

    void aCompleteRequestHasNoProblems()
    {
        QVERIFY(validRequest().validate(fourCoresEightGiB()).isEmpty());
    }

    void aMissingPurposeIsRequiredAndSaysItIsAudited()
    {
        SessionRequest request = validRequest();
        request.purpose = QStringLiteral("   \n\t ");
        FieldProblem problem = onlyProblem(request);
        QCOMPARE(problem.field, SessionField::Purpose);
        QVERIFY2(problem.message.contains(QStringLiteral("required")), qPrintable(problem.message));
        QVERIFY2(problem.message.contains(QStringLiteral("audit")), qPrintable(problem.message));
    }

    void aShortPurposeAsksForMoreWords()
    {
        SessionRequest request = validRequest();
        request.purpose = QStringLiteral("  test     ");
        FieldProblem problem = onlyProblem(request);
        QCOMPARE(problem.field, SessionField::Purpose);
        QVERIFY2(
            problem.message.contains(QStringLiteral("at least 10")), qPrintable(problem.message));
        request.purpose = QStringLiteral("QA review!"); // exactly ten characters
        QVERIFY(request.validate(fourCoresEightGiB()).isEmpty());
    }

    void anEmptyNameIsRefused()
    {
        SessionRequest request = validRequest();
        request.name = QStringLiteral("  ");
        FieldProblem problem = onlyProblem(request);
        QCOMPARE(problem.field, SessionField::Name);
        QVERIFY2(problem.message.contains(QStringLiteral("name")), qPrintable(problem.message));
    }

    void vcpusAreHeldToTheHostsCores()
    {
        SessionRequest request = validRequest();
        request.vcpus = 5;
        FieldProblem problem = onlyProblem(request);
        QCOMPARE(problem.field, SessionField::Vcpus);
        QVERIFY2(problem.message.contains(QStringLiteral("between 1 and 4")),
            qPrintable(problem.message));
        request.vcpus = 0;
        QCOMPARE(onlyProblem(request).field, SessionField::Vcpus);
        request.vcpus = 4;
        QVERIFY(request.validate(fourCoresEightGiB()).isEmpty());
    }

    void memoryIsHeldBetween256MiBAndHalfTheHost()
    {
        SessionRequest request = validRequest();
        request.memoryMiB = 4097;
        FieldProblem problem = onlyProblem(request);
        QCOMPARE(problem.field, SessionField::Memory);
        QVERIFY2(problem.message.contains(QStringLiteral("256 MiB")) &&
                problem.message.contains(QStringLiteral("4 GiB")),
            qPrintable(problem.message));
        request.memoryMiB = 255;
        QCOMPARE(onlyProblem(request).field, SessionField::Memory);
    }

    void aLifetimeIsAlwaysSet()
    {
        SessionRequest request = validRequest();
        request.lifetimeMinutes = 0; // "no limit" is not offered: the lifetime guarantees the shred
        FieldProblem problem = onlyProblem(request);
        QCOMPARE(problem.field, SessionField::Lifetime);
        QVERIFY2(problem.message.contains(QStringLiteral("shredded")), qPrintable(problem.message));
        request.lifetimeMinutes = 7 * 24 * 60 + 1;
        QCOMPARE(onlyProblem(request).field, SessionField::Lifetime);
    }

    void scratchIsAtLeast256MiB()
    {
        SessionRequest request = validRequest();
        request.scratchMiB = 100;
        FieldProblem problem = onlyProblem(request);
        QCOMPARE(problem.field, SessionField::Scratch);
        QVERIFY2(problem.message.contains(QStringLiteral("/outbox")), qPrintable(problem.message));
    }

    void commandsTheGuestCannotReceiveAreRefused()
    {
        SessionRequest request = validRequest();
        request.command = {QStringLiteral("echo"), QStringLiteral("say \"hi\"")};
        FieldProblem problem = onlyProblem(request);
        QCOMPARE(problem.field, SessionField::Command);
        QVERIFY2(
            problem.message.contains(QStringLiteral("single quotes")), qPrintable(problem.message));
        request.command = QStringList(31, QStringLiteral("x"));
        QVERIFY2(onlyProblem(request).message.contains(QStringLiteral("sh -c")),
            qPrintable(onlyProblem(request).message));
    }

    void twoDatasetsWithOneNameAreRefused()
    {
        SessionRequest request = validRequest();
        app::DatasetSource first;
        first.name = QStringLiteral("scans");
        first.hostPath = QStringLiteral("/data/a/scans");
        app::DatasetSource second = first;
        second.hostPath = QStringLiteral("/data/b/scans");
        request.datasets = {first, second};
        FieldProblem problem = onlyProblem(request);
        QCOMPARE(problem.field, SessionField::Datasets);
        QVERIFY2(problem.message.contains(QStringLiteral("“scans”")), qPrintable(problem.message));
    }

    void everyProblemIsReportedInFieldOrder()
    {
        SessionRequest request;
        request.vcpus = 99;
        QList<FieldProblem> problems = request.validate(fourCoresEightGiB());
        QCOMPARE(problems.size(), 3);
        QCOMPARE(problems[0].field, SessionField::Name);
        QCOMPARE(problems[1].field, SessionField::Purpose);
        QCOMPARE(problems[2].field, SessionField::Vcpus);
    }

    void commandSplitting_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QStringList>("words");
        QTest::newRow("empty is the shell") << QString() << QStringList();
        QTest::newRow("blanks only") << QStringLiteral("  \t ") << QStringList();
        QTest::newRow("plain words") << QStringLiteral("  python3   analyse.py  --rows 10 ")
                                     << QStringList {"python3", "analyse.py", "--rows", "10"};
        QTest::newRow("single quotes keep everything")
            << QStringLiteral("sh -c 'wc -l /datasets/scans/*.csv > /outbox/count \\n'")
            << QStringList {"sh", "-c", "wc -l /datasets/scans/*.csv > /outbox/count \\n"};
        QTest::newRow("double quotes with escapes")
            << QStringLiteral("grep \"a \\\"b\\\" \\\\ \\x\" file")
            << QStringList {"grep", "a \"b\" \\ \\x", "file"};
        QTest::newRow("backslash escapes a blank")
            << QStringLiteral("cat my\\ file.txt") << QStringList {"cat", "my file.txt"};
        QTest::newRow("quotes join a word")
            << QStringLiteral("a'b c'\"d\"e") << QStringList {"ab cde"};
        QTest::newRow("empty quoted word")
            << QStringLiteral("printf '' x") << QStringList {"printf", "", "x"};
        QTest::newRow("quoted operator")
            << QStringLiteral("echo '|' \\;") << QStringList {"echo", "|", ";"};
    }

    void commandSplitting()
    {
        QFETCH(QString, line);
        QFETCH(QStringList, words);
        app::Result<QStringList> split = CommandLine::split(line);
        QVERIFY2(split.has_value(), split ? "" : qPrintable(split.error().message));
        QCOMPARE(*split, words);
        // What the dialog shows back for a request is split into the same words.
        app::Result<QStringList> again = CommandLine::split(CommandLine::join(words));
        QVERIFY(again.has_value());
        QCOMPARE(*again, words);
    }

    void unbalancedQuotesAreErrors_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("expected");
        QTest::newRow("single") << QStringLiteral("echo 'unfinished")
                                << QStringLiteral("single quote");
        QTest::newRow("double") << QStringLiteral("echo \"unfinished 'x'")
                                << QStringLiteral("double quote");
        QTest::newRow("trailing backslash")
            << QStringLiteral("echo \\") << QStringLiteral("backslash");
        QTest::newRow("pipe") << QStringLiteral("cat a | wc") << QStringLiteral("sh -c");
        QTest::newRow("redirect") << QStringLiteral("ls>out") << QStringLiteral("sh -c");
    }

    void unbalancedQuotesAreErrors()
    {
        QFETCH(QString, line);
        QFETCH(QString, expected);
        app::Result<QStringList> split = CommandLine::split(line);
        QVERIFY(!split.has_value());
        QVERIFY2(split.error().message.contains(expected), qPrintable(split.error().message));
    }
};

QTEST_GUILESS_MAIN(SessionRequestTest)
#include "tst_session_request.moc"
