#pragma once

#include <QByteArray>
#include <QProcess>
#include <QStringList>

// Runs the airlock-vmm executable as a user would and collects what they would see.
struct VmmRunResult {
    int exitCode = -1;
    bool finished = false; ///< false when it timed out or crashed
    QByteArray standardOutput;
    QByteArray standardError;
};

/// Runs `program` with `arguments`, writes `input` to its standard input (then leaves it open,
/// like a terminal), and waits up to `timeoutMs`. A process still running then is killed.
inline VmmRunResult runVmm(const QString& program, const QStringList& arguments,
    const QByteArray& input = {}, int timeoutMs = 180000)
{
    QProcess process;
    process.start(program, arguments);
    VmmRunResult result;
    if (!process.waitForStarted(10000)) {
        result.standardError = process.errorString().toUtf8();
        return result;
    }
    if (!input.isEmpty())
        process.write(input);
    result.finished = process.waitForFinished(timeoutMs) && process.exitStatus() == QProcess::NormalExit;
    if (!result.finished) {
        process.kill();
        process.waitForFinished(5000);
    }
    result.exitCode = process.exitCode();
    result.standardOutput = process.readAllStandardOutput();
    result.standardError = process.readAllStandardError();
    return result;
}

/// A readable account of a run for failure messages.
inline QByteArray describe(const VmmRunResult& result)
{
    return "exit " + QByteArray::number(result.exitCode) + (result.finished ? "" : " (timed out)")
        + "\n--- stdout ---\n" + result.standardOutput.right(3000) + "\n--- stderr ---\n"
        + result.standardError.right(2000);
}
