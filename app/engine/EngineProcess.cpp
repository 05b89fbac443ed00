#include "EngineProcess.h"

#include <cerrno>
#include <climits>
#include <fcntl.h>
#include <unistd.h>

#include <QCoreApplication>

namespace app {

namespace {
// In the child between fork and exec: only async-signal-safe calls. Every descriptor from 3 up
// becomes close-on-exec except the control channel, so that nothing of the app (its database,
// other sessions' sockets) reaches airlock-vmm or a wrapper.
void keepOnlyDescriptor(int inheritedFd)
{
    if (::close_range(3, UINT_MAX, CLOSE_RANGE_CLOEXEC) != 0) {
        long maximum = ::sysconf(_SC_OPEN_MAX);
        for (int fd = 3; fd < (maximum > 0 && maximum < 65536 ? maximum : 65536); ++fd)
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    int flags = ::fcntl(inheritedFd, F_GETFD);
    if (flags >= 0)
        ::fcntl(inheritedFd, F_SETFD, flags & ~FD_CLOEXEC);
}
} // namespace

EngineProcess::EngineProcess(QObject* parent)
    : QObject(parent)
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.setInputChannelMode(QProcess::ManagedInputChannel);
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &EngineProcess::readOutput);
    connect(
        &m_process, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus status) {
            readOutput();
            // On Unix a crash's exit code is the signal's number.
            emit finished(exitCode, status == QProcess::CrashExit);
        });
}

EngineProcess::~EngineProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.disconnect(this);
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

Result<void> EngineProcess::start(
    const QString& program, const QStringList& arguments, int inheritedFd)
{
    m_process.setProgram(program);
    m_process.setArguments(arguments);
    m_process.setChildProcessModifier([inheritedFd] { keepOnlyDescriptor(inheritedFd); });
    m_process.start();
    if (!m_process.waitForStarted(-1))
        return failure(QCoreApplication::translate("app::EngineProcess",
            "The engine '%1' could not be started: %2. Check that it exists and is executable.")
                           .arg(program, m_process.errorString()));
    m_process.closeWriteChannel();
    return {};
}

bool EngineProcess::isRunning() const
{
    return m_process.state() != QProcess::NotRunning;
}

qint64 EngineProcess::processId() const
{
    return m_process.processId();
}

void EngineProcess::kill()
{
    m_process.kill();
}

bool EngineProcess::waitForFinished(int milliseconds)
{
    return m_process.state() == QProcess::NotRunning || m_process.waitForFinished(milliseconds);
}

void EngineProcess::readOutput()
{
    m_output += m_process.readAllStandardOutput();
    if (m_output.size() > kOutputTailBytes)
        m_output.remove(0, m_output.size() - kOutputTailBytes);
}

QString EngineProcess::lastOutputLine() const
{
    const QList<QByteArray> lines = m_output.split('\n');
    for (auto line = lines.crbegin(); line != lines.crend(); ++line) {
        QByteArray trimmed = line->trimmed();
        if (!trimmed.isEmpty())
            return QString::fromUtf8(trimmed);
    }
    return {};
}

} // namespace app
