#pragma once

#include "protocol/ExecMessages.h"
#include "protocol/FrameStream.h"
#include "sys/Result.h"

namespace vmm::guest {

class ChildTable;

/// One ExecRequest of the agent: spawns the command in its own session with pipes for stdin,
/// stdout and stderr, and moves bytes between them and the host's stream until it ends.
/// Flow control is the stream's: output is read from the pipes only when the previous frame has
/// been taken by the socket, and host frames are read only while less than kStdinBufferCap of
/// stdin waits for the command, so a command that writes 100 MiB waits for the host instead of
/// filling the guest's memory.
class CommandRunner {
public:
    /// The most stdin held for a command that does not read it.
    static constexpr size_t kStdinBufferCap = 1024 * 1024;

    /// Runs `request`: ExecStarted, output frames, ExecExited; or an Error frame when it cannot
    /// be started. Fails (and kills the command's process group) only when the stream broke.
    static Result<void> run(FrameStream& stream, const ExecRequest& request, ChildTable& children);
};

} // namespace vmm::guest
