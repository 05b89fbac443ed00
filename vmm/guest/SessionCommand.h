#pragma once

#include "SessionTerminal.h"
#include "sys/Result.h"

#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace vmm::guest {

/// The session's command: the words the kernel passes to init (the kernel command line after
/// " -- "), or an interactive login shell when there are none.
class SessionCommand {
public:
    /// From init's argc/argv; argv[0] is init itself and is not part of the command. The kernel
    /// also hands init every parameter it does not know that has no '=' (a stray "foo" appended
    /// by a user): only the last `commandWords` arguments, the words after " -- ", are the command.
    static SessionCommand fromInitArguments(int argc, char** argv, size_t commandWords);

    /// How many words follow the standalone "--" of a kernel command line, split as the kernel
    /// splits it (lib/cmdline.c next_arg: spaces separate, double quotes group). 0 without "--".
    static size_t countCommandWords(std::string_view kernelCommandLine);

    /// What exec runs: a name looked up in PATH, or a path.
    const std::string& program() const { return m_program; }
    /// The argv the command gets (argv[0] is "-sh" for the login shell).
    const std::vector<std::string>& arguments() const { return m_arguments; }

    /// Forks the command in its own session with `terminal` (the serial console unless the kernel
    /// command line chose the display) as controlling terminal on fds 0, 1 and 2, so that Ctrl-C
    /// and job control work. Returns its pid.
    Result<pid_t> start(const SessionTerminal& terminal = SessionTerminal::serial()) const;

private:
    SessionCommand(std::string program, std::vector<std::string> arguments)
        : m_program(std::move(program))
        , m_arguments(std::move(arguments))
    {
    }

    std::string m_program;
    std::vector<std::string> m_arguments;
};

} // namespace vmm::guest
