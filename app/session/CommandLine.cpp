#include "CommandLine.h"

#include <QCoreApplication>

namespace app {

// Why not QProcess::splitCommand (Qt 6.0): it knows only double quotes (a literal quote is
// written """), has no single quotes and no backslash escapes, and silently closes an unbalanced
// quote at the end of the line. Users paste commands from shell documentation, so the shell's
// rules, and a clear error for a missing quote, are what they expect.

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("app::CommandLine", text);
}

bool isBlank(QChar character)
{
    return character == u' ' || character == u'\t' || character == u'\n' || character == u'\r';
}

bool isShellOperator(QChar character)
{
    return character == u'|' || character == u';' || character == u'&' || character == u'<' ||
        character == u'>';
}

// Inside double quotes a backslash escapes only these (POSIX 2.2.3); before anything else it is
// itself.
bool isEscapableInDoubleQuotes(QChar character)
{
    return character == u'"' || character == u'\\' || character == u'$' || character == u'`';
}

} // namespace

Result<QStringList> CommandLine::split(const QString& line)
{
    QStringList words;
    QString word;
    bool inWord = false;
    qsizetype i = 0;
    const qsizetype length = line.size();
    while (i < length) {
        QChar character = line[i];
        if (isBlank(character)) {
            if (inWord)
                words.append(std::exchange(word, {}));
            inWord = false;
            ++i;
        } else if (character == u'\'') {
            qsizetype closing = line.indexOf(u'\'', i + 1);
            if (closing < 0)
                return failure(
                    tr("The command has an opening single quote (') without a closing "
                       "one; add the closing quote, or write \\' for a quote character."));
            word += line.mid(i + 1, closing - i - 1);
            inWord = true;
            i = closing + 1;
        } else if (character == u'"') {
            ++i;
            bool closed = false;
            while (i < length) {
                QChar inner = line[i];
                if (inner == u'"') {
                    closed = true;
                    ++i;
                    break;
                }
                if (inner == u'\\' && i + 1 < length && isEscapableInDoubleQuotes(line[i + 1])) {
                    word += line[i + 1];
                    i += 2;
                    continue;
                }
                word += inner;
                ++i;
            }
            if (!closed)
                return failure(tr("The command has an opening double quote (\") without a closing "
                                  "one; add the closing quote, or write \\\" for a quote "
                                  "character."));
            inWord = true;
        } else if (character == u'\\') {
            if (i + 1 >= length)
                return failure(tr("The command ends with a backslash (\\), which escapes nothing; "
                                  "remove it, or write \\\\ for a backslash."));
            word += line[i + 1];
            inWord = true;
            i += 2;
        } else if (isShellOperator(character)) {
            return failure(tr("The command contains %1, but it is run directly, not by a shell; "
                              "to use pipes or redirection write sh -c '…', or quote the %1.")
                               .arg(character));
        } else {
            word += character;
            inWord = true;
            ++i;
        }
    }
    if (inWord)
        words.append(word);
    return words;
}

QString CommandLine::join(const QStringList& arguments)
{
    QStringList quoted;
    quoted.reserve(arguments.size());
    for (const QString& argument : arguments) {
        bool plain = !argument.isEmpty();
        for (QChar character : argument) {
            if (isBlank(character) || isShellOperator(character) || character == u'\'' ||
                character == u'"' || character == u'\\' || character == u'$' || character == u'`') {
                plain = false;
                break;
            }
        }
        if (plain) {
            quoted.append(argument);
        } else {
            // Single quotes keep everything literal; a single quote itself is closed, escaped and
            // reopened: it's -> 'it'\''s'.
            QString text = argument;
            text.replace(QStringLiteral("'"), QStringLiteral("'\\''"));
            quoted.append(u'\'' + text + u'\'');
        }
    }
    return quoted.join(u' ');
}

} // namespace app
