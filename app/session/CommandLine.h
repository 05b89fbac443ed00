#pragma once

#include "AppResult.h"

#include <QStringList>

namespace app {

/// The session command as the user types it on one line, and back.
class CommandLine {
public:
    /// Splits `line` into argv like a POSIX shell splits words: blanks separate, '...' is literal,
    /// "..." is literal except for \" \\ \$ \`, a backslash outside quotes escapes the next
    /// character. No expansion, globbing, pipes or redirection: an unquoted | ; & < > is refused
    /// with a hint to use sh -c, because the guest runs the command directly. An empty line gives
    /// an empty list (the interactive shell).
    static Result<QStringList> split(const QString& line);

    /// The line that split() turns back into `arguments`, quoting only where needed.
    static QString join(const QStringList& arguments);
};

} // namespace app
