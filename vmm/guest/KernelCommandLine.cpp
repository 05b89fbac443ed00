#include "KernelCommandLine.h"

namespace vmm::guest {

namespace {
// As the kernel's isspace() for what a command line holds (SessionCommand counts words alike).
bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || static_cast<unsigned char>(c) == 0xa0;
}
} // namespace

std::vector<std::string> KernelCommandLine::parameters(std::string_view line)
{
    std::vector<std::string> words;
    size_t position = 0;
    for (;;) {
        while (position < line.size() && isSpace(line[position]))
            ++position;
        if (position >= line.size())
            break;
        std::string word;
        bool inQuote = false;
        while (position < line.size() && (inQuote || !isSpace(line[position]))) {
            if (line[position] == '"')
                inQuote = !inQuote;
            else
                word += line[position];
            ++position;
        }
        if (word == "--")
            break;
        words.push_back(std::move(word));
    }
    return words;
}

std::optional<std::string> KernelCommandLine::lastValue(
    std::string_view line, std::string_view name)
{
    std::optional<std::string> value;
    for (const std::string& word : parameters(line)) {
        if (word.size() > name.size() && word.compare(0, name.size(), name) == 0 &&
            word[name.size()] == '=')
            value = word.substr(name.size() + 1);
    }
    return value;
}

} // namespace vmm::guest
