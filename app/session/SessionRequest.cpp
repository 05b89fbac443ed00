#include "SessionRequest.h"

#include <QCoreApplication>
#include <QSet>

namespace app {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("app::SessionRequest", text);
}

bool hasControlCharacter(const QString& text)
{
    for (QChar character : text) {
        if (character.category() == QChar::Other_Control)
            return true;
    }
    return false;
}

QString memoryText(int mebibytes)
{
    if (mebibytes % 1024 == 0)
        return tr("%1 GiB").arg(mebibytes / 1024);
    return tr("%1 MiB").arg(mebibytes);
}

void checkName(const SessionRequest& request, QList<FieldProblem>& problems)
{
    QString name = request.name.trimmed();
    if (name.isEmpty())
        problems.append({SessionField::Name, tr("Give the session a name, such as “Session 1”.")});
    else if (name.size() > SessionRequest::kMaximumNameLength)
        problems.append({SessionField::Name,
            tr("The name is %1 characters long; shorten it to %2 or fewer.")
                .arg(name.size())
                .arg(SessionRequest::kMaximumNameLength)});
    else if (hasControlCharacter(name))
        problems.append({SessionField::Name,
            tr("The name contains a control character (a tab or line break); remove it.")});
}

void checkPurpose(const SessionRequest& request, QList<FieldProblem>& problems)
{
    qsizetype length = request.purpose.trimmed().size();
    if (length == 0)
        problems.append({SessionField::Purpose,
            tr("Describe the purpose of use: why this session runs and on whose behalf. It is "
               "required and recorded in the audit trail.")});
    else if (length < SessionRequest::kMinimumPurposeLength)
        problems.append({SessionField::Purpose,
            tr("Describe the purpose of use in a few more words (at least %1 characters); an "
               "auditor will read it.")
                .arg(SessionRequest::kMinimumPurposeLength)});
    else if (length > SessionRequest::kMaximumPurposeLength)
        problems.append({SessionField::Purpose,
            tr("The purpose of use is %1 characters long; shorten it to %2 or fewer.")
                .arg(length)
                .arg(SessionRequest::kMaximumPurposeLength)});
}

void checkCommand(const SessionRequest& request, QList<FieldProblem>& problems)
{
    const QStringList& command = request.command;
    if (command.isEmpty())
        return;
    if (command.front().isEmpty()) {
        problems.append({SessionField::Command,
            tr("The command starts with an empty word; begin it with the program to run.")});
        return;
    }
    if (command.size() > SessionRequest::kMaximumCommandArguments) {
        problems.append({SessionField::Command,
            tr("The command has %1 words; the guest accepts at most %2. Wrap it in sh -c '…'.")
                .arg(command.size())
                .arg(SessionRequest::kMaximumCommandArguments)});
        return;
    }
    qsizetype bytes = 0;
    for (const QString& argument : command) {
        if (hasControlCharacter(argument)) {
            problems.append({SessionField::Command,
                tr("The command contains a control character (a tab or line break); the guest "
                   "cannot receive it. Remove it.")});
            return;
        }
        if (argument.contains(u'"')) {
            problems.append({SessionField::Command,
                tr("The command passes a double quote (\") to the program, which the guest "
                   "cannot receive; use single quotes inside the command instead.")});
            return;
        }
        bytes += argument.toUtf8().size() + 3; // a space and perhaps two quotes
    }
    if (bytes > SessionRequest::kMaximumCommandBytes)
        problems.append({SessionField::Command,
            tr("The command is too long for the guest (at most about %1 bytes); put it in a "
               "script on a dataset and run that.")
                .arg(SessionRequest::kMaximumCommandBytes)});
}

void checkResources(
    const SessionRequest& request, const HostLimits& limits, QList<FieldProblem>& problems)
{
    if (request.vcpus < 1 || request.vcpus > limits.maximumVcpus)
        problems.append({SessionField::Vcpus,
            tr("Choose between 1 and %1 vCPUs: the most this computer can give one session.")
                .arg(limits.maximumVcpus)});
    if (request.memoryMiB < SessionRequest::kMinimumMemoryMiB ||
        request.memoryMiB > limits.maximumMemoryMiB)
        problems.append({SessionField::Memory,
            tr("Choose between %1 and %2 of memory (half of this computer's memory).")
                .arg(memoryText(SessionRequest::kMinimumMemoryMiB),
                    memoryText(limits.maximumMemoryMiB))});
    if (request.lifetimeMinutes < SessionRequest::kMinimumLifetimeMinutes ||
        request.lifetimeMinutes > SessionRequest::kMaximumLifetimeMinutes)
        problems.append({SessionField::Lifetime,
            tr("Choose a maximum lifetime between 5 minutes and 7 days; when it runs out the "
               "session is closed and shredded.")});
    if (request.scratchMiB < SessionRequest::kMinimumScratchMiB ||
        request.scratchMiB > SessionRequest::kMaximumScratchMiB)
        problems.append({SessionField::Scratch,
            tr("Choose a scratch disk between 256 MiB and 1024 GiB; it holds /work and /outbox.")});
}

void checkDatasets(const SessionRequest& request, QList<FieldProblem>& problems)
{
    if (request.datasets.size() > SessionRequest::kMaximumDatasets) {
        problems.append({SessionField::Datasets,
            tr("A session holds at most %1 datasets; remove some, or put them in one folder.")
                .arg(SessionRequest::kMaximumDatasets)});
        return;
    }
    QSet<QString> names;
    QSet<QString> paths;
    for (const DatasetSource& source : request.datasets) {
        if (names.contains(source.name)) {
            problems.append({SessionField::Datasets,
                tr("Two datasets are named “%1”; remove one of them.").arg(source.name)});
            return;
        }
        if (paths.contains(source.hostPath)) {
            problems.append({SessionField::Datasets,
                tr("“%1” is in the list twice; remove one of them.").arg(source.hostPath)});
            return;
        }
        names.insert(source.name);
        paths.insert(source.hostPath);
    }
}

// The bounds of vmm/display/FramebufferGeometry.h, said in the user's words.
void checkDisplay(const SessionRequest& request, QList<FieldProblem>& problems)
{
    const QSize size = request.displaySize;
    if (size.width() < SessionRequest::kMinimumDisplayWidth ||
        size.width() > SessionRequest::kMaximumDisplayWidth ||
        size.height() < SessionRequest::kMinimumDisplayHeight ||
        size.height() > SessionRequest::kMaximumDisplayHeight)
        problems.append({SessionField::Display,
            tr("Choose a screen size between %1×%2 and %3×%4 pixels.")
                .arg(SessionRequest::kMinimumDisplayWidth)
                .arg(SessionRequest::kMinimumDisplayHeight)
                .arg(SessionRequest::kMaximumDisplayWidth)
                .arg(SessionRequest::kMaximumDisplayHeight)});
}

} // namespace

QList<FieldProblem> SessionRequest::validate(const HostLimits& limits) const
{
    QList<FieldProblem> problems;
    checkName(*this, problems);
    checkPurpose(*this, problems);
    checkCommand(*this, problems);
    checkResources(*this, limits, problems);
    checkDatasets(*this, problems);
    checkDisplay(*this, problems);
    return problems;
}

} // namespace app
