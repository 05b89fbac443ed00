#include "EngineProcess.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <fcntl.h>
#include <unistd.h>

#include <QTimer>

namespace app {

namespace {
// A line longer than this is passed on in pieces: the child cannot make the app hold more.
constexpr qsizetype kMaxLineBytes = 4096;
// The KVM lab's exit statuses for its own failures (tests/lab/run).
constexpr int kLabTimedOut = 124;
constexpr int kLabFailed = 125;
// The lab stops its emulated host on SIGTERM (within 5 s); SIGKILL after this if it has not.
constexpr int kLabStopGraceMs = 8000;

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
            takeLines({}, true);
            // On Unix a crash's exit code is the signal's number.
            emit finished(exitCode, status == QProcess::CrashExit);
        });
}

EngineProcess::~EngineProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.disconnect(this);
        if (m_inLab) {
            m_process.terminate();
            if (m_process.waitForFinished(kLabStopGraceMs))
                return;
        }
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
        return failure(
            tr("The engine '%1' could not be started: %2. Check that it exists and is executable.")
                .arg(program, m_process.errorString()));
    m_process.closeWriteChannel();
    return {};
}

Result<void> EngineProcess::start(const EngineLaunch& launch, int controlFd)
{
    m_inLab = launch.runsInLab();
    m_process.setProcessEnvironment(launch.environment(controlFd));
    return start(launch.program(), launch.arguments(controlFd), controlFd);
}

QString EngineProcess::labFailure(int code) const
{
    if (!m_inLab)
        return {};
    QString reason = m_lastLabLine.isEmpty() ? tr("it gave no reason") : m_lastLabLine;
    if (code == kLabTimedOut)
        return tr("The KVM lab (the emulated KVM host this session ran in) timed out and was "
                  "stopped: %1. It sometimes freezes: start the session again; to give it longer, "
                  "set AIRLOCK_LAB_TIMEOUT (seconds).")
            .arg(reason);
    if (code == kLabFailed)
        return tr("The KVM lab (the emulated KVM host sessions run in here) failed to boot or "
                  "broke: %1. Check it with 'tests/lab/run true'; scripts/install-lab-deps.sh "
                  "installs what it needs.")
            .arg(reason);
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
    if (!m_inLab) {
        m_process.kill();
        return;
    }
    // SIGKILL would leave the lab no chance to stop QEMU and remove its run directory.
    m_process.terminate();
    QTimer::singleShot(kLabStopGraceMs, this, [this] { m_process.kill(); });
}

bool EngineProcess::waitForFinished(int milliseconds)
{
    return m_process.state() == QProcess::NotRunning || m_process.waitForFinished(milliseconds);
}

void EngineProcess::readOutput()
{
    QByteArray bytes = m_process.readAllStandardOutput();
    takeLines(bytes, false);
    m_output += bytes;
    if (m_output.size() > kOutputTailBytes)
        m_output.remove(0, m_output.size() - kOutputTailBytes);
}

void EngineProcess::takeLines(const QByteArray& bytes, bool flush)
{
    m_partialLine += bytes;
    for (;;) {
        qsizetype end = m_partialLine.indexOf('\n');
        qsizetype taken = end + 1;
        if (end < 0 && (flush || m_partialLine.size() >= kMaxLineBytes))
            taken = end = std::min(m_partialLine.size(), kMaxLineBytes);
        if (end < 0 || m_partialLine.isEmpty())
            return;
        QString line = QString::fromUtf8(m_partialLine.left(end)).trimmed();
        m_partialLine.remove(0, taken);
        if (line.isEmpty())
            continue;
        if (m_inLab && line.startsWith(QLatin1String("lab: ")) && m_labLines++ > 0)
            m_lastLabLine = line.mid(5);
        emit outputLine(line);
    }
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
