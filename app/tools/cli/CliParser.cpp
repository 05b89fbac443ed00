#include "CliParser.h"

#include "Cli.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace app::cli {

namespace {
QString tr(const char* text)
{
    return QCoreApplication::translate("airlockctl", text);
}
} // namespace

CliParser::CliParser(QString command, const QString& description, const QString& positionalSyntax)
    : m_command(std::move(command))
    , m_positionalSyntax(positionalSyntax)
    , m_audit(QStringLiteral("audit"),
          tr("The audit trail to use (default: %1).").arg(AuditStore::defaultPath()), tr("FILE"))
    , m_help({QStringLiteral("h"), QStringLiteral("help")}, tr("Shows this help."))
{
    m_parser.setApplicationDescription(description);
    m_parser.addOption(m_audit);
    m_parser.addOption(m_help);
}

std::optional<int> CliParser::parse(const QStringList& arguments)
{
    if (!m_parser.parse(QStringList {QStringLiteral("airlockctl ") + m_command} + arguments))
        return usageError(m_parser.errorText());
    if (m_parser.isSet(m_help)) {
        QString help = m_parser.helpText();
        if (!m_positionalSyntax.isEmpty())
            help.replace(
                QStringLiteral("[options]"), QStringLiteral("[options] ") + m_positionalSyntax);
        printOut(help);
        return ExitOk;
    }
    return std::nullopt;
}

int CliParser::usageError(const QString& message) const
{
    printError(tr("%1: %2 (see 'airlockctl %1 --help')").arg(m_command, message));
    return ExitUsage;
}

QString CliParser::auditPath() const
{
    return m_parser.isSet(m_audit) ? m_parser.value(m_audit) : AuditStore::defaultPath();
}

Result<std::unique_ptr<AuditStore>> CliParser::openAudit() const
{
    QString path = auditPath();
    if (!QFileInfo(path).isFile())
        return failure(
            tr("there is no audit trail at %1; name the right file with --audit FILE").arg(path));
    return AuditStore::open(path);
}

Result<std::unique_ptr<AuditStore>> CliParser::openAuditForWriting() const
{
    return AuditStore::open(auditPath());
}

} // namespace app::cli
