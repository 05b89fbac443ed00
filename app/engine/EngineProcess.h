#pragma once

#include "AppResult.h"

#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QStringList>

namespace app {

/// The airlock-vmm child process: started with one inherited socket as its control channel and
/// nothing else (every other descriptor is closed on exec), its output kept as a short tail for
/// error messages. Lives on the GUI thread; QProcess never blocks it.
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
    /// Whether the child runs.
    bool isRunning() const;
    /// Its process id (0 when none).
    qint64 processId() const;
    /// Kills it with SIGKILL.
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

private:
    void readOutput();

    QProcess m_process;
    QByteArray m_output;
};

} // namespace app
