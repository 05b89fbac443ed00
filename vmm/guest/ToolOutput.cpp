#include "ToolOutput.h"

#include <cerrno>
#include <string>
#include <unistd.h>

namespace vmm::guest {

namespace {
void writeAll(int fd, const std::string& text)
{
    size_t done = 0;
    while (done < text.size()) {
        ssize_t written = ::write(fd, text.data() + done, text.size() - done);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return; // nowhere left to say it
        done += static_cast<size_t>(written);
    }
}
} // namespace

void ToolOutput::line(std::string_view line)
{
    std::string text(line);
    text += '\n';
    writeAll(STDOUT_FILENO, text);
}

void ToolOutput::error(std::string_view tool, std::string_view message)
{
    std::string text(tool);
    text += ": ";
    text += message;
    text += '\n';
    writeAll(STDERR_FILENO, text);
}

} // namespace vmm::guest
