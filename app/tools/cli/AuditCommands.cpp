// airlockctl list, audit verify, audit export, stop: what the audit trail says.

#include "Cli.h"
#include "CliCommands.h"
#include "CliParser.h"
#include "audit/AuditEvents.h"
#include "audit/AuditExport.h"
#include "audit/pdf/AuditPdf.h"

#include <QCoreApplication>
#include <QGuiApplication>

namespace app::cli {

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("airlockctl", text);
}

// One table cell: no tabs or line breaks from what users typed.
QString cell(const QString& text)
{
    QString result = text;
    for (QChar& character : result) {
        if (character.category() == QChar::Other_Control)
            character = QLatin1Char(' ');
    }
    return result.isEmpty() ? QStringLiteral("-") : result;
}

QString timeCell(const QDateTime& time)
{
    return time.isValid() ? time.toLocalTime().toString(Qt::ISODate) : QStringLiteral("-");
}

// The session `text` names: its full id or a prefix that only it has.
Result<AuditSessionSummary> findSession(const AuditStore& store, const QString& text)
{
    auto sessions = store.sessions();
    if (!sessions)
        return tl::unexpected(sessions.error());
    QList<AuditSessionSummary> matches;
    for (const AuditSessionSummary& session : *sessions) {
        if (session.sessionId == text)
            return session;
        if (!text.isEmpty() && session.sessionId.startsWith(text))
            matches.append(session);
    }
    if (matches.size() == 1)
        return matches.first();
    if (matches.size() > 1)
        return failure(tr("'%1' is the start of %2 session ids; give more of the id")
                           .arg(text)
                           .arg(matches.size()));
    return failure(
        tr("there is no session '%1' in the audit trail; 'airlockctl list' shows them").arg(text));
}

int verify(const QStringList& arguments)
{
    CliParser cli(QStringLiteral("audit verify"),
        tr("Checks every row of the audit trail against its hash and the chain; exits 1 and "
           "names the first broken row when it was changed."));
    if (auto done = cli.parse(arguments))
        return *done;
    auto store = cli.openAudit();
    if (!store) {
        printError(store.error().message);
        return ExitError;
    }
    AuditVerification verification = (*store)->verify();
    // Who checked the trail, and when, is itself part of the record.
    if (auto recorded = (*store)->append(AuditEvents::auditVerified(verification)); !recorded)
        printError(tr("note: the check could not be recorded in the trail (%1)")
                       .arg(recorded.error().message));
    if (verification.intact) {
        printOut(tr("The audit trail %1 is intact: %2 rows checked.\n")
                     .arg((*store)->path())
                     .arg(verification.rowsChecked));
        return ExitOk;
    }
    QString row = verification.firstBrokenRow ? tr(" at row %1").arg(*verification.firstBrokenRow)
                                              : QString();
    printError(tr("the audit trail %1 is broken%2: %3")
                   .arg((*store)->path(), row, cell(verification.problem)));
    return ExitError;
}

int exportRecord(const QStringList& arguments)
{
    CliParser cli(QStringLiteral("audit export"),
        tr("Exports a session's record: every event as CSV, or a printable PDF with the chain "
           "check."));
    QCommandLineOption session(
        QStringLiteral("session"), tr("The session (its id, or the start of it)."), tr("ID"));
    QCommandLineOption csv(QStringLiteral("csv"), tr("Writes the events as CSV."), tr("FILE"));
    QCommandLineOption pdf(QStringLiteral("pdf"), tr("Writes the record as a PDF."), tr("FILE"));
    cli.parser().addOptions({session, csv, pdf});
    if (auto done = cli.parse(arguments))
        return *done;
    if (!cli.parser().positionalArguments().isEmpty())
        return cli.usageError(
            tr("unexpected '%1'").arg(cli.parser().positionalArguments().first()));
    if (!cli.parser().isSet(session))
        return cli.usageError(tr("name the session with --session ID"));
    if (!cli.parser().isSet(csv) && !cli.parser().isSet(pdf))
        return cli.usageError(tr("say where to write it with --csv FILE or --pdf FILE"));
    if (cli.parser().isSet(pdf) && !qobject_cast<QGuiApplication*>(QCoreApplication::instance()))
        return cli.usageError(tr("--pdf needs airlockctl's own main()"));
    auto store = cli.openAudit();
    if (!store) {
        printError(store.error().message);
        return ExitError;
    }
    auto summary = findSession(**store, cli.parser().value(session));
    if (!summary) {
        printError(summary.error().message);
        return ExitError;
    }
    AuditFilter filter;
    filter.sessionId = summary->sessionId;
    auto events = (*store)->events(filter);
    if (!events) {
        printError(events.error().message);
        return ExitError;
    }
    if (cli.parser().isSet(csv)) {
        if (auto written = AuditExport::writeCsv(*events, cli.parser().value(csv)); !written) {
            printError(written.error().message);
            return ExitError;
        }
    }
    if (cli.parser().isSet(pdf)) {
        QString html = AuditExport::sessionRecordHtml(*summary, *events, (*store)->verify());
        if (auto written = AuditPdf::write(html, cli.parser().value(pdf)); !written) {
            printError(written.error().message);
            return ExitError;
        }
    }
    return ExitOk;
}
} // namespace

int listCommand(const QStringList& arguments)
{
    CliParser cli(QStringLiteral("list"),
        tr("Lists the sessions in the audit trail, oldest first (tab-separated)."));
    if (auto done = cli.parse(arguments))
        return *done;
    if (!cli.parser().positionalArguments().isEmpty())
        return cli.usageError(
            tr("unexpected '%1'").arg(cli.parser().positionalArguments().first()));
    auto store = cli.openAudit();
    if (!store) {
        printError(store.error().message);
        return ExitError;
    }
    auto sessions = (*store)->sessions();
    if (!sessions) {
        printError(sessions.error().message);
        return ExitError;
    }
    QString table = tr("ID\tNAME\tSTARTED\tENDED\tSTATE\tPURPOSE\n");
    for (const AuditSessionSummary& session : *sessions)
        table += QStringList {session.sessionId, cell(session.name), timeCell(session.started),
                     timeCell(session.ended), cell(session.lastState), cell(session.purpose)}
                     .join(QLatin1Char('\t')) +
            QLatin1Char('\n');
    printOut(table);
    return ExitOk;
}

int auditCommand(const QStringList& arguments)
{
    QString action = arguments.value(0);
    if (action == QLatin1String("verify"))
        return verify(arguments.mid(1));
    if (action == QLatin1String("export"))
        return exportRecord(arguments.mid(1));
    if (action == QLatin1String("--help") || action == QLatin1String("-h")) {
        printOut(tr("Usage: airlockctl audit verify [--audit FILE]\n"
                    "       airlockctl audit export --session ID (--csv FILE | --pdf FILE) "
                    "[--audit FILE]\n"));
        return ExitOk;
    }
    printError(tr("audit: say 'verify' or 'export' (see 'airlockctl audit --help')"));
    return ExitUsage;
}

int stopCommand(const QStringList& arguments)
{
    CliParser cli(QStringLiteral("stop"),
        tr("Sessions live in the process that started them: the Airlock window or an "
           "'airlockctl run'. Stop a session there (close its window, or press Ctrl+C in its "
           "'airlockctl run'); this command says where the session is."),
        tr("ID"));
    if (auto done = cli.parse(arguments))
        return *done;
    QStringList positional = cli.parser().positionalArguments();
    if (positional.size() != 1)
        return cli.usageError(tr("name one session: airlockctl stop ID"));
    auto store = cli.openAudit();
    if (!store) {
        printError(store.error().message);
        return ExitError;
    }
    auto summary = findSession(**store, positional.first());
    if (!summary) {
        printError(summary.error().message);
        return ExitError;
    }
    if (summary->ended.isValid()) {
        printError(tr("session %1 already ended at %2; there is nothing to stop")
                       .arg(summary->sessionId, timeCell(summary->ended)));
        return ExitError;
    }
    printError(tr("session %1 (%2) runs in the process that started it on %3, and only that "
                  "process can stop it: close its window in Airlock, or press Ctrl+C in its "
                  "'airlockctl run'")
                   .arg(summary->sessionId, cell(summary->name), cell(summary->host)));
    return ExitError;
}

} // namespace app::cli
