#include "ToolOptions.h"

#include "PrintableText.h"

#include <charconv>
#include <set>
#include <string>

namespace vmm::guest {

namespace {
constexpr size_t kMaxQuoted = 40;

Error refused(std::string_view what, std::string_view detail)
{
    return Error::invalid(std::string(what), std::string(detail));
}

std::string quoted(std::string_view word)
{
    return "\"" + PrintableText::of(word, kMaxQuoted) + "\"";
}
} // namespace

std::vector<std::string_view> ToolOptions::arguments(int argc, char** argv)
{
    std::vector<std::string_view> words;
    for (int index = 1; index < argc; ++index)
        words.emplace_back(argv[index]);
    return words;
}

Result<void> ToolOptions::parse(
    std::span<const std::string_view> arguments, std::span<const Option> options)
{
    std::set<std::string_view> seen;
    for (size_t index = 0; index < arguments.size(); ++index) {
        std::string_view word = arguments[index];
        std::string_view name = word.substr(0, word.find('='));
        const Option* option = nullptr;
        for (const Option& candidate : options) {
            if (candidate.name == name)
                option = &candidate;
        }
        if (option == nullptr)
            return failure(refused("usage", "unknown option " + quoted(word)));
        if (!seen.insert(option->name).second)
            return failure(refused(option->name, "given twice"));
        std::string_view text;
        if (name.size() < word.size())
            text = word.substr(name.size() + 1);
        else if (index + 1 < arguments.size())
            text = arguments[++index];
        else
            return failure(refused(option->name, "needs a number"));
        uint32_t value = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
            value > option->maximum)
            return failure(refused(option->name,
                quoted(text) + " is not a whole number from 0 to " +
                    std::to_string(option->maximum)));
        *option->value = value;
    }
    return {};
}

} // namespace vmm::guest
