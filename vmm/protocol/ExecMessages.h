#pragma once

#include "Frame.h"
#include "sys/Result.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vmm {

/// Run a command in the guest (MessageKind::ExecRequest). JSON: {"argv": [str, 1..256 items],
/// "env": {name: value} (added to the agent's PATH, HOME, TERM), "cwd": absolute path,
/// "stdin": bool (false: the command reads /dev/null)}. argv[0] is looked up in PATH.
struct ExecRequest {
    static constexpr size_t kMaxArguments = 256;
    static constexpr size_t kMaxArgumentBytes = 32 * 1024;
    static constexpr size_t kMaxEnvironment = 256;
    static constexpr size_t kMaxPathBytes = 4096;

    std::vector<std::string> argv;
    std::map<std::string, std::string> environment;
    std::string workingDirectory = "/";
    bool hasStdin = false;

    nlohmann::json toJson() const;
    Frame toFrame() const;
    static Result<ExecRequest> fromJson(const nlohmann::json& json);
};

/// The command runs (MessageKind::ExecStarted). JSON: {"pid": int}.
struct ExecStarted {
    int64_t pid = 0;

    Frame toFrame() const;
    static Result<ExecStarted> fromJson(const nlohmann::json& json);
};

/// Send a signal to the command's process group (MessageKind::ExecSignal). JSON:
/// {"signal": 1..64}.
struct ExecSignal {
    int signal = 0;

    Frame toFrame() const;
    static Result<ExecSignal> fromJson(const nlohmann::json& json);
};

/// The command ended (MessageKind::ExecExited), sent after the last output. JSON: {"status":
/// 0..255 as a shell reports it} and either {"exitCode": 0..255} or {"signal": 1..64}.
struct ExecExited {
    uint8_t status = 0;
    std::optional<int> exitCode;
    std::optional<int> signal;

    /// From a waitpid status.
    static ExecExited fromWaitStatus(int waitStatus);
    Frame toFrame() const;
    static Result<ExecExited> fromJson(const nlohmann::json& json);
};

} // namespace vmm
