#pragma once

#include <string_view>

namespace vmm::guest {

/// The small programs airlock-guest also is, chosen by the name it is called by (argv[0]'s last
/// component), like busybox applets: /bin/airlock-fb-pattern, /bin/airlock-fb-animate and
/// /bin/airlock-input-events are links to /init. Called as anything else it is PID 1.
class GuestTools {
public:
    /// A tool's entry point: takes argc and argv, returns the exit status.
    using Entry = int (*)(int argc, char** argv);

    /// The tool `argv0` names, or nullptr when it names none (then it is /init).
    static Entry find(std::string_view argv0);
};

} // namespace vmm::guest
