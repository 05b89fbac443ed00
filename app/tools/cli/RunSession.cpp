#include "RunSession.h"

#include "Cli.h"

#include <csignal>
#include <cstdio>
#include <unistd.h>

#include <sys/socket.h>

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>

namespace app::cli {

namespace {
// Ctrl+C and SIGTERM arrive here and are handled in the event loop (async-signal-safe write).
int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    char byte = 1;
    [[maybe_unused]] ssize_t written = ::write(g_signalPipe[1], &byte, 1);
}

// How much console output is kept to find the marker in (it may arrive in pieces).
constexpr qsizetype kTailBytes = 512;

// Whether `path` (relative to /outbox, from the guest) stays inside the export folder.
bool isSafeRelativePath(const QString& path)
{
    if (path.isEmpty() || QDir::isAbsolutePath(path))
        return false;
    const QStringList parts = path.split(QLatin1Char('/'));
    for (const QString& part : parts) {
        if (part.isEmpty() || part == QLatin1String(".") || part == QLatin1String(".."))
            return false;
    }
    return true;
}
} // namespace

QStringList RunSession::wrapCommand(const QStringList& command, const QString& marker)
{
    QString script =
        QStringLiteral("\"$@\"; s=$?; echo; echo \"%1 $s\"; read -r _; exit $s").arg(marker);
    return QStringList {QStringLiteral("/bin/sh"), QStringLiteral("-c"), script,
               QStringLiteral("airlockctl")} +
        command;
}

RunSession::RunSession(ManagedSession& session, QString exportDirectory, QString marker)
    : m_session(session)
    , m_exportDirectory(std::move(exportDirectory))
    , m_marker(marker.toUtf8())
{
    connect(&session.engine(), &EngineSession::consoleOutput, this, &RunSession::onConsole);
    connect(&session, &ManagedSession::ended, this, &RunSession::onEnded);
    connect(&session, &ManagedSession::errorOccurred, this,
        [](const QString& message) { printError(message); });
    connect(&session.engine(), &EngineSession::errorOccurred, this,
        [](const QString& message) { printError(message); });

    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_signalPipe) == 0) {
        m_interruptNotifier =
            std::make_unique<QSocketNotifier>(g_signalPipe[0], QSocketNotifier::Read);
        connect(
            m_interruptNotifier.get(), &QSocketNotifier::activated, this, &RunSession::onInterrupt);
        struct sigaction action { };
        action.sa_handler = onSignal;
        ::sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        ::sigaction(SIGINT, &action, nullptr);
        ::sigaction(SIGTERM, &action, nullptr);
    }
}

RunSession::~RunSession()
{
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    m_interruptNotifier.reset();
    for (int& fd : g_signalPipe) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
}

void RunSession::onConsole(const QByteArray& bytes)
{
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stdout);
    std::fflush(stdout);
    if (m_marker.isEmpty() || m_exportStarted)
        return;
    m_consoleTail += bytes;
    if (m_consoleTail.contains(m_marker)) {
        m_exportStarted = true;
        exportOutbox();
        return;
    }
    if (m_consoleTail.size() > kTailBytes)
        m_consoleTail = m_consoleTail.right(kTailBytes);
}

void RunSession::exportOutbox()
{
    m_session.listOutbox().then(this, [this](Result<QList<OutboxFile>> listing) {
        if (!listing) {
            m_exportFailed = true;
            printError(tr("cannot list the session's outbox: %1").arg(listing.error().message));
            releaseGuest();
            return;
        }
        exportNext(*listing);
    });
}

void RunSession::exportNext(QList<OutboxFile> files)
{
    if (files.isEmpty()) {
        releaseGuest();
        return;
    }
    OutboxFile file = files.takeFirst();
    QString destination = QDir(m_exportDirectory).filePath(file.path);
    if (!isSafeRelativePath(file.path) || QFileInfo::exists(destination) ||
        !QDir().mkpath(QFileInfo(destination).absolutePath())) {
        m_exportFailed = true;
        printError(tr("did not export '%1': %2 exists already or cannot be written; choose an "
                      "empty folder with --export-outbox")
                       .arg(file.path, destination));
        exportNext(std::move(files));
        return;
    }
    m_session.exportOutboxFile(file.path, destination)
        .then(this,
            [this, files = std::move(files), name = file.path](
                Result<OutboxExport> exported) mutable {
                if (exported) {
                    printError(tr("exported %1 (%2 bytes, SHA-256 %3)")
                                   .arg(exported->destination)
                                   .arg(exported->size)
                                   .arg(exported->sha256));
                } else {
                    m_exportFailed = true;
                    printError(tr("could not export '%1': %2").arg(name, exported.error().message));
                }
                exportNext(std::move(files));
            });
}

void RunSession::releaseGuest()
{
    // The wrapper waits for one line; then it exits with the command's status.
    m_session.engine().sendConsoleInput(QByteArrayLiteral("\n"));
}

void RunSession::onInterrupt()
{
    char bytes[16];
    [[maybe_unused]] ssize_t read = ::read(g_signalPipe[0], bytes, sizeof bytes);
    ++m_interrupts;
    if (m_interrupts == 1)
        printError(tr("stopping the session and shredding it (press Ctrl+C again to stop it at "
                      "once)"));
    m_session.close(m_interrupts > 1);
}

void RunSession::onEnded(const QString& reason)
{
    std::optional<QJsonObject> report = m_session.shredReport();
    if (report) {
        const QJsonArray items = report->value(QStringLiteral("items")).toArray();
        bool succeeded = report->value(QStringLiteral("succeeded")).toBool();
        printError(succeeded ? tr("session %1 shredded: %n item(s) destroyed and verified", nullptr,
                                   static_cast<int>(items.size()))
                                   .arg(m_session.id())
                             : tr("session %1: shredding was incomplete; see its shred report "
                                  "('airlockctl audit export --session %1 --pdf FILE')")
                                   .arg(m_session.id()));
        for (const QJsonValue& item : items) {
            QJsonObject object = item.toObject();
            printError(QStringLiteral("  %1 %2: %3")
                           .arg(object.value(QStringLiteral("succeeded")).toBool()
                                   ? QStringLiteral("ok  ")
                                   : QStringLiteral("FAIL"),
                               object.value(QStringLiteral("what")).toString(),
                               object.value(QStringLiteral("method")).toString()));
        }
    }
    std::optional<int> status = m_session.exitStatus();
    if (!status || m_session.engine().state() == EngineState::Failed) {
        printError(tr("the session ended without the command's exit status: %1").arg(reason));
        emit finished(ExitError);
        return;
    }
    if (m_exportFailed) {
        printError(tr("the command exited with status %1, but not every outbox file was "
                      "exported (see above)")
                       .arg(*status));
        emit finished(ExitError);
        return;
    }
    emit finished(*status);
}

} // namespace app::cli
