#pragma once

#include <string_view>

namespace vmm::guest {

/// What the small guest tools print: whole lines, each in one write(2) and so never held in a
/// buffer, because the host reads them off the console as they come.
class ToolOutput {
public:
    /// Writes `line` and a newline to stdout.
    static void line(std::string_view line);
    /// Writes "<tool>: <message>" and a newline to stderr.
    static void error(std::string_view tool, std::string_view message);
};

} // namespace vmm::guest
