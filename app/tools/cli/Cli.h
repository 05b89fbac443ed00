#pragma once

#include <QString>
#include <QStringList>

namespace app::cli {

/// airlockctl's exit statuses (command-line conventions).
enum ExitStatus : int {
    /// It worked.
    ExitOk = 0,
    /// It failed; a one-line message on stderr says what to do.
    ExitError = 1,
    /// The command line was wrong; the message points at --help.
    ExitUsage = 2,
};

/// Runs airlockctl with `arguments` (without the program name) and returns its exit status.
/// Needs a QCoreApplication; `audit export --pdf` needs a QGuiApplication (see needsGui()).
int run(const QStringList& arguments);

/// Whether `arguments` ask for something that needs a QGuiApplication (a PDF's fonts).
bool needsGui(const QStringList& arguments);

/// Writes `text` to stdout, flushed.
void printOut(const QString& text);
/// Writes "airlockctl: `text`" and a newline to stderr.
void printError(const QString& text);

} // namespace app::cli
