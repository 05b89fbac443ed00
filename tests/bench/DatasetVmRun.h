#pragma once

#include <string>
#include <string_view>
#include <vector>

/// One console line of a VM, with when it arrived (milliseconds after the VMM was started).
struct TimedLine {
    double ms = 0;
    std::string text;
};

/// What one VM run printed: its console lines in order, and whether the awaited text came.
struct VmRun {
    std::vector<TimedLine> lines;
    bool reached = false;

    /// The first line containing `text`, or nullptr.
    const TimedLine* find(std::string_view text) const;
    /// The last `maxBytes` of the output, for a failure message.
    std::string tail(size_t maxBytes = 2000) const;
};

/// Starts `command` with stdin on /dev/null and stdout (the guest console) and stderr (the VMM's
/// messages) on one pipe, timestamps every line it prints, and kills it (SIGKILL) as soon as a
/// line contains `until`, when it exits, or after `timeoutMs`.
VmRun runVm(const std::vector<std::string>& command, std::string_view until, int timeoutMs);
