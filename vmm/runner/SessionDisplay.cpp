#include "SessionDisplay.h"

#include "machine/GuestFramebuffer.h"
#include "machine/Machine.h"

#include <cstdlib>
#include <cstring>

namespace vmm {

Result<void> takeDisplayPassword(DisplayConfig& display)
{
    if (char* value = std::getenv(kDisplayPasswordVariable)) {
        if (display.tcpPort)
            display.tcpPassword = value;
        // Wiped in place: /proc/self/environ shows the original block.
        std::memset(value, 0, std::strlen(value));
        ::unsetenv(kDisplayPasswordVariable);
    }
    if (display.tcpPort && display.tcpPassword.empty())
        return failure(Error::invalid("--display-tcp",
            std::string("other viewers need a password: set ") + kDisplayPasswordVariable));
    return {};
}

Result<std::unique_ptr<DisplayServer>> createDisplayServer(Machine& machine, const DisplayConfig& display)
{
    if (machine.framebuffer() == nullptr || machine.displayInput() == nullptr)
        return failure(Error::invalid("display", "the machine was built without a screen"));
    DisplayServerOptions options;
    options.socketPath = display.socketPath;
    options.tcpPort = display.tcpPort;
    options.tcpPassword = display.tcpPassword;
    options.maxFramesPerSecond = display.maxFramesPerSecond;
    return DisplayServer::create(*machine.framebuffer(), *machine.displayInput(), options);
}

} // namespace vmm
