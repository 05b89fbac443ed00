#pragma once

#include "AppResult.h"
#include "EngineLaunch.h"

#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QStringList>

namespace app {

/// The airlock-vmm child process: started with one inherited socket as its control channel and
/// nothing else (every other descriptor is closed on exec), its output kept as a short tail for
/// error messages. Lives on the GUI thread; QProcess never blocks it. In the KVM lab the child is
/// tests/lab/run around airlock-vmm: its "lab:" lines go to outputLine() (the session's log, never
/// the console), and its exit statuses 124 and 125 become labFailure() reasons.
class EngineProcess : public QObject {
    Q_OBJECT

public:
    /// How much of the child's output is kept.
    static constexpr qsizetype kOutputTailBytes = 16 * 1024;

    explicit EngineProcess(QObject* parent = nullptr);
    /// Kills a child that still runs (SIGKILL) and waits for it.
    ~EngineProcess() override;

    /// Starts `program` with `arguments`; `inheritedFd` stays open in the child under the same
    /// number. Returns once the child has been executed (or failed to be).
    Result<void> start(const QString& program, const QStringList& arguments, int inheritedFd);
    /// Starts `launch` with `controlFd` as its control channel, with launch.environment(): in the
    /// KVM lab when the launch says so.
    Result<void> start(const EngineLaunch& launch, int controlFd);
    /// Whether the child is the KVM lab around airlock-vmm.
    bool runsInLab() const { return m_inLab; }
    /// Why the lab ended the session when the child exited with `code` without a shred report:
    /// a timeout (124) or a lab failure (125), with the lab's own reason; "" otherwise.
    QString labFailure(int code) const;
    /// Whether the child runs.
    bool isRunning() const;
    /// Its process id (0 when none).
    qint64 processId() const;
    /// Kills it with SIGKILL; the KVM lab gets SIGTERM first, to stop its emulated host.
    void kill();
    /// Waits at most `milliseconds` for it to exit (blocks: only for shutdown paths).
    bool waitForFinished(int milliseconds);
    /// The end of what it wrote to stdout and stderr.
    const QByteArray& outputTail() const { return m_output; }
    /// The last non-empty line it wrote ("" when none).
    QString lastOutputLine() const;

signals:
    /// The child exited with `code`, or was killed by signal `code` when `bySignal`.
    void finished(int code, bool bySignal);
    /// One line the child wrote (the lab's "lab:" lines, airlock-vmm's messages): for a log.
    void outputLine(const QString& line);

private:
    void readOutput();
    void takeLines(const QByteArray& bytes, bool flush);

    QProcess m_process;
    QByteArray m_output;
    QByteArray m_partialLine;
    bool m_inLab = false;
    QString m_lastLabLine; // the lab harness's latest line but its first (the banner)
    int m_labLines = 0;
};

} // namespace app
