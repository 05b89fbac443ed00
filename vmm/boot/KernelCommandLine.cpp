#include "KernelCommandLine.h"

#include <algorithm>

namespace vmm {

static constexpr size_t kMaxInitArguments = 30;

static bool hasControlCharacter(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
    });
}

// The kernel's isspace() (lib/ctype.c, Latin-1) also takes 0xa0 for a space: inside UTF-8 text
// (as in "à", 0xc3 0xa0) that splits an argument unless it is quoted.
static bool containsKernelSpace(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) {
        auto byte = static_cast<unsigned char>(c);
        return byte == ' ' || byte == 0xa0;
    });
}

static bool containsInitSeparator(std::string_view text)
{
    // The kernel hands everything after a standalone "--" to init.
    size_t position = 0;
    while ((position = text.find("--", position)) != std::string_view::npos) {
        bool startsWord = position == 0 || text[position - 1] == ' ';
        bool endsWord = position + 2 == text.size() || text[position + 2] == ' ';
        if (startsWord && endsWord)
            return true;
        position += 2;
    }
    return false;
}

Result<std::string> buildKernelCommandLine(std::string_view defaults, std::string_view appended,
    std::span<const std::string> initArguments, size_t limit)
{
    if (hasControlCharacter(appended))
        return failure(Error::invalid("kernel command line",
            "contains a control character (newline, tab, ...); use spaces between parameters"));
    // An unbalanced quote would make the kernel read everything after it, " -- " included, as
    // one parameter.
    if (std::count(appended.begin(), appended.end(), '"') % 2 != 0)
        return failure(Error::invalid("kernel command line",
            "has an unbalanced double quote; close it or remove it"));
    if (!initArguments.empty() && containsInitSeparator(appended))
        return failure(Error::invalid("kernel command line",
            "already contains ' -- ' and a command was given as well; give the command only once"));

    // The kernel keeps CONFIG_INIT_ENV_ARG_LIMIT (32) slots for init's argv, its own name and the
    // terminator included; more arguments make it panic ("Too many boot init vars").
    if (initArguments.size() > kMaxInitArguments)
        return failure(Error::invalid("command", "has " + std::to_string(initArguments.size())
                + " arguments; the kernel passes at most " + std::to_string(kMaxInitArguments)
                + " to init; wrap the command in sh -c '...'"));

    std::string line(defaults);
    if (!appended.empty()) {
        line += ' ';
        line += appended;
    }
    if (!initArguments.empty())
        line += " --";
    for (size_t i = 0; i < initArguments.size(); ++i) {
        const std::string& argument = initArguments[i];
        if (hasControlCharacter(argument))
            return failure(Error::invalid("command", "argument " + std::to_string(i + 1)
                    + " contains a control character, which the kernel command line cannot carry"));
        if (argument.find('"') != std::string::npos)
            return failure(Error::invalid("command", "argument " + std::to_string(i + 1)
                    + " contains a double quote, which the kernel command line cannot carry; "
                      "use single quotes inside the command"));
        line += ' ';
        bool needsQuotes = argument.empty() || containsKernelSpace(argument);
        if (needsQuotes)
            line += '"' + argument + '"';
        else
            line += argument;
    }
    if (line.size() > limit)
        return failure(Error::invalid("kernel command line", "is " + std::to_string(line.size())
                + " bytes; the kernel accepts at most " + std::to_string(limit)));
    return line;
}

} // namespace vmm
