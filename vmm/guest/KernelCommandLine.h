#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmm::guest {

/// The parameters of a kernel command line (/proc/cmdline) as the kernel splits them.
class KernelCommandLine {
public:
    /// The words before a standalone "--" (after it come the session command's words), split as
    /// lib/cmdline.c next_arg splits them: spaces separate, double quotes group and are removed.
    static std::vector<std::string> parameters(std::string_view line);
    /// The value of the last "name=value" parameter before "--"; nothing when there is none.
    static std::optional<std::string> lastValue(std::string_view line, std::string_view name);
};

} // namespace vmm::guest
