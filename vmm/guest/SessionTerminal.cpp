#include "SessionTerminal.h"

#include "KernelCommandLine.h"
#include "PrintableText.h"

#include <string>

namespace vmm::guest {

namespace {
constexpr size_t kMaxQuotedValue = 64;
} // namespace

Result<SessionTerminal> SessionTerminal::fromKernelCommandLine(std::string_view kernelCommandLine)
{
    std::optional<std::string> value = KernelCommandLine::lastValue(kernelCommandLine, kParameter);
    if (!value || *value == "ttyS0")
        return serial();
    if (*value == "tty1")
        return display();
    // The command line is the host's, but a user can add to it: quote it bounded and printable.
    return failure(Error::invalid(std::string(kParameter),
        "\"" + PrintableText::of(*value, kMaxQuotedValue) +
            "\" is not a console the session can use (tty1 or ttyS0)"));
}

} // namespace vmm::guest
