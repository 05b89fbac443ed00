// airlockctl run: one session through the same SessionManager (and so the same audit trail) as
// the app, in this process, from start to shred.

#include "Cli.h"
#include "CliCommands.h"
#include "CliParser.h"
#include "RunSession.h"
#include "SessionManager.h"
#include "session/DatasetInspector.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QUuid>

namespace app::cli {

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("airlockctl", text);
}

// Where the engine is: EngineLocator's answer, with AIRLOCK_ENGINE_WRAPPER (when set, even
// empty) replacing what runs before airlock-vmm: "" runs it directly.
EngineLocation engineLocation()
{
    EngineLocation location = EngineLocator::locate();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (environment.contains(QStringLiteral("AIRLOCK_ENGINE_WRAPPER"))) {
        location.wrapperPrefix = environment.value(QStringLiteral("AIRLOCK_ENGINE_WRAPPER"))
                                     .split(QLatin1Char(' '), Qt::SkipEmptyParts);
        location.throughLab = false; // the lab comes only from the locator
        location.kvmUsable = location.kvmUsable || location.wrapperPrefix.isEmpty();
    }
    return location;
}

// A whole number option, or nothing when it is not one.
std::optional<int> number(const QString& text)
{
    bool ok = false;
    int value = text.toInt(&ok);
    return ok ? std::optional<int>(value) : std::nullopt;
}
} // namespace

int runCommand(const QStringList& arguments)
{
    CliParser cli(QStringLiteral("run"),
        tr("Runs COMMAND in a new session: streams its console to stdout, exports every "
           "/outbox file to DIR when it ends, shreds the session, prints the shred summary on "
           "stderr and exits with COMMAND's status. Everything is recorded in the audit trail."),
        tr("-- COMMAND..."));
    QCommandLineOption purpose(
        QStringLiteral("purpose"), tr("Why the session runs (required; recorded)."), tr("TEXT"));
    QCommandLineOption name(QStringLiteral("name"), tr("The session's name."), tr("N"));
    QCommandLineOption dataset(QStringLiteral("dataset"),
        tr("A folder or file shown read-only at /datasets/<name> (repeatable)."), tr("PATH"));
    QCommandLineOption cpus(QStringLiteral("cpus"), tr("vCPUs (default 2)."), tr("N"));
    QCommandLineOption memory(
        QStringLiteral("memory"), tr("Guest memory in MiB (default 2048)."), tr("MIB"));
    QCommandLineOption scratch(QStringLiteral("scratch"),
        tr("Encrypted scratch disk (/work, /outbox) in MiB (default 4096)."), tr("MIB"));
    QCommandLineOption lifetime(QStringLiteral("lifetime"),
        tr("Maximum lifetime in minutes (default 480)."), tr("MINUTES"));
    QCommandLineOption exportOutbox(QStringLiteral("export-outbox"),
        tr("Exports every /outbox file to this existing folder when COMMAND ends."), tr("DIR"));
    cli.parser().addOptions(
        {purpose, name, dataset, cpus, memory, scratch, lifetime, exportOutbox});
    if (auto done = cli.parse(arguments))
        return *done;
    QCommandLineParser& parser = cli.parser();

    SessionRequest request;
    request.command = parser.positionalArguments();
    if (request.command.isEmpty())
        return cli.usageError(tr("give the command to run after '--', for example: airlockctl "
                                 "run --purpose '...' -- ls /datasets"));
    if (!parser.isSet(purpose))
        return cli.usageError(tr("say why the session runs with --purpose TEXT (it is recorded)"));
    request.purpose = parser.value(purpose);
    request.name = parser.isSet(name)
        ? parser.value(name)
        : QStringLiteral("airlockctl %1").arg(QFileInfo(request.command.first()).fileName());
    HostLimits limits = HostLimits::current();
    request.vcpus = std::min(request.vcpus, limits.maximumVcpus);
    request.memoryMiB = std::min(request.memoryMiB, limits.maximumMemoryMiB);
    for (auto [option, field] : {std::pair {&cpus, &request.vcpus}, {&memory, &request.memoryMiB},
             {&scratch, &request.scratchMiB}, {&lifetime, &request.lifetimeMinutes}}) {
        if (!parser.isSet(*option))
            continue;
        std::optional<int> value = number(parser.value(*option));
        if (!value)
            return cli.usageError(tr("--%1 takes a whole number, not '%2'")
                                      .arg(option->names().first(), parser.value(*option)));
        *field = *value;
    }
    for (const QString& path : parser.values(dataset)) {
        auto source = DatasetInspector::inspect(path, request.datasets);
        if (!source) {
            printError(source.error().message);
            return ExitError;
        }
        if (source->name.isEmpty())
            source->name = DatasetInspector::uniqueName(
                DatasetInspector::baseName(source->hostPath), datasetNames(request.datasets));
        request.datasets.append(*source);
    }
    QString exportDirectory = parser.value(exportOutbox);
    if (parser.isSet(exportOutbox) && !QFileInfo(exportDirectory).isDir())
        return cli.usageError(
            tr("the export folder '%1' does not exist; create it first").arg(exportDirectory));

    // The wrapper waits after the command so that the outbox can still be read.
    QString marker;
    SessionRequest started = request;
    if (parser.isSet(exportOutbox)) {
        marker = QStringLiteral("airlockctl-outbox-") +
            QUuid::createUuid().toString(QUuid::Id128).left(16);
        started.command = RunSession::wrapCommand(request.command, marker);
    }
    if (QList<FieldProblem> problems = started.validate(limits); !problems.isEmpty())
        return cli.usageError(problems.first().message);

    EngineLocation location = engineLocation();
    if (!location.canStartSessions()) {
        printError(location.statusMessage);
        return ExitError;
    }
    auto store = cli.openAuditForWriting();
    if (!store) {
        printError(store.error().message);
        return ExitError;
    }
    auto manager = SessionManager::create(std::move(*store), location);
    if (!manager) {
        printError(manager.error().message);
        return ExitError;
    }
    auto session = (*manager)->startSession(started);
    if (!session) {
        printError(session.error().message);
        return ExitError;
    }
    RunSession run(**session, exportDirectory, marker);
    QEventLoop loop;
    int status = ExitError;
    QObject::connect(&run, &RunSession::finished, &loop, [&](int finishedWith) {
        status = finishedWith;
        loop.quit();
    });
    loop.exec();
    return status;
}

} // namespace app::cli
