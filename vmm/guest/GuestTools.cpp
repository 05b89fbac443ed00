#include "GuestTools.h"

#include "FbAnimateCommand.h"
#include "FbPatternCommand.h"
#include "InputEventsCommand.h"

#include <array>
#include <utility>

namespace vmm::guest {

GuestTools::Entry GuestTools::find(std::string_view argv0)
{
    constexpr std::array<std::pair<std::string_view, Entry>, 3> kTools {{
        {FbPatternCommand::kName, &FbPatternCommand::run},
        {FbAnimateCommand::kName, &FbAnimateCommand::run},
        {InputEventsCommand::kName, &InputEventsCommand::run},
    }};
    size_t slash = argv0.rfind('/');
    std::string_view name = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
    for (const auto& [toolName, entry] : kTools) {
        if (name == toolName)
            return entry;
    }
    return nullptr;
}

} // namespace vmm::guest
