#include "Cli.h"

#include "CliCommands.h"

#include <cstdio>

#include <QCoreApplication>

namespace app::cli {

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("airlockctl", text);
}

QString usage()
{
    return tr("Usage: airlockctl COMMAND [OPTIONS]\n"
              "\n"
              "Airlock from the command line: run sessions in KVM microVMs and read the audit "
              "trail.\n"
              "\n"
              "Commands:\n"
              "  run --purpose TEXT [--name N] [--dataset PATH]... [--cpus N] [--memory MIB]\n"
              "      [--export-outbox DIR] -- COMMAND...\n"
              "                 Runs COMMAND in a new session, streams its console to stdout,\n"
              "                 exports /outbox to DIR, shreds the session and exits with\n"
              "                 COMMAND's status.\n"
              "  list           Lists the sessions in the audit trail.\n"
              "  audit verify   Checks the audit trail's hash chain (exit 1 when broken).\n"
              "  audit export --session ID (--csv FILE | --pdf FILE)\n"
              "                 Exports a session's record for an auditor.\n"
              "  stop ID        Explains where a session can be stopped: sessions live in the\n"
              "                 process that started them (the Airlock window or an\n"
              "                 'airlockctl run').\n"
              "\n"
              "Every command takes --audit FILE (default: the user's audit trail) and --help.\n"
              "Exit status: 0 success, 1 failure (a message says what to do), 2 usage error.\n");
}
} // namespace

void printOut(const QString& text)
{
    QByteArray bytes = text.toLocal8Bit();
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
    std::fflush(stdout);
}

void printError(const QString& text)
{
    QByteArray bytes = (QStringLiteral("airlockctl: ") + text + QLatin1Char('\n')).toLocal8Bit();
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stderr);
    std::fflush(stderr);
}

bool needsGui(const QStringList& arguments)
{
    return arguments.value(0) == QLatin1String("audit") &&
        arguments.value(1) == QLatin1String("export") && arguments.contains(QLatin1String("--pdf"));
}

int run(const QStringList& arguments)
{
    if (arguments.isEmpty()) {
        printError(tr("give a command; 'airlockctl --help' lists them"));
        return ExitUsage;
    }
    const QString& command = arguments.first();
    QStringList rest = arguments.mid(1);
    if (command == QLatin1String("--help") || command == QLatin1String("-h") ||
        command == QLatin1String("help")) {
        printOut(usage());
        return ExitOk;
    }
    if (command == QLatin1String("--version")) {
        printOut(QStringLiteral("airlockctl %1\n").arg(QCoreApplication::applicationVersion()));
        return ExitOk;
    }
    if (command == QLatin1String("run"))
        return runCommand(rest);
    if (command == QLatin1String("list"))
        return listCommand(rest);
    if (command == QLatin1String("audit"))
        return auditCommand(rest);
    if (command == QLatin1String("stop"))
        return stopCommand(rest);
    printError(tr("'%1' is not a command; 'airlockctl --help' lists them").arg(command));
    return ExitUsage;
}

} // namespace app::cli
