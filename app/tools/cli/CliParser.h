#pragma once

#include "audit/AuditStore.h"

#include <memory>
#include <optional>

#include <QCommandLineParser>
#include <QString>

namespace app::cli {

/// A QCommandLineParser for one command that reports errors the airlockctl way: a usage error
/// names the problem and points at the command's --help (exit 2); --help prints the help (0).
class CliParser {
public:
    /// A parser for `command` ("audit export") with `description` and the --audit option.
    CliParser(QString command, const QString& description, const QString& positionalSyntax = {});

    /// The parser, for adding options.
    QCommandLineParser& parser() { return m_parser; }
    /// Parses `arguments`; an exit status when the command should end now (help, usage error).
    std::optional<int> parse(const QStringList& arguments);
    /// Prints a usage error about this command and returns ExitUsage.
    int usageError(const QString& message) const;
    /// Opens the audit trail --audit names (or the default one); it must exist already.
    Result<std::unique_ptr<AuditStore>> openAudit() const;
    /// Opens (creating when missing) the audit trail --audit names, for recording.
    Result<std::unique_ptr<AuditStore>> openAuditForWriting() const;

private:
    QString auditPath() const;

    QString m_command;
    QString m_positionalSyntax;
    QCommandLineParser m_parser;
    QCommandLineOption m_audit;
    QCommandLineOption m_help;
};

} // namespace app::cli
