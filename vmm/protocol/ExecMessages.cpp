#include "ExecMessages.h"

#include "JsonFields.h"

#include <algorithm>

#include <sys/wait.h>

namespace vmm {

namespace {
constexpr int kMaxSignal = 64;
} // namespace

nlohmann::json ExecRequest::toJson() const
{
    return {{"argv", argv}, {"env", environment}, {"cwd", workingDirectory}, {"stdin", hasStdin}};
}

Frame ExecRequest::toFrame() const
{
    return makeFrame(MessageKind::ExecRequest, toJson());
}

Result<ExecRequest> ExecRequest::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "ExecRequest"));
    ExecRequest request;
    request.argv = VMM_TRY(fields.stringArray("argv", kMaxArguments, kMaxArgumentBytes, true));
    if (request.argv.empty() || request.argv.front().empty())
        return failure(fields.fieldError("argv", "no command"));
    if (fields.has("env")) {
        request.environment =
            VMM_TRY(fields.stringMap("env", kMaxEnvironment, kMaxPathBytes, kMaxArgumentBytes));
        for (const auto& entry : request.environment) {
            if (entry.first.find('=') != std::string::npos)
                return failure(fields.fieldError("env", "a name holds '='"));
        }
    }
    if (fields.has("cwd")) {
        request.workingDirectory = VMM_TRY(fields.string("cwd", kMaxPathBytes));
        if (request.workingDirectory.front() != '/')
            return failure(fields.fieldError("cwd", "not an absolute path"));
    }
    if (fields.has("stdin"))
        request.hasStdin = VMM_TRY(fields.boolean("stdin"));
    return request;
}

Frame ExecStarted::toFrame() const
{
    return makeFrame(MessageKind::ExecStarted, {{"pid", pid}});
}

Result<ExecStarted> ExecStarted::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "ExecStarted"));
    return ExecStarted {VMM_TRY(fields.integer("pid", 1, INT32_MAX))};
}

Frame ExecSignal::toFrame() const
{
    return makeFrame(MessageKind::ExecSignal, {{"signal", signal}});
}

Result<ExecSignal> ExecSignal::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "ExecSignal"));
    return ExecSignal {static_cast<int>(VMM_TRY(fields.integer("signal", 1, kMaxSignal)))};
}

ExecExited ExecExited::fromWaitStatus(int waitStatus)
{
    ExecExited exited;
    if (WIFEXITED(waitStatus)) {
        exited.exitCode = WEXITSTATUS(waitStatus);
        exited.status = static_cast<uint8_t>(*exited.exitCode);
    } else if (WIFSIGNALED(waitStatus)) {
        exited.signal = WTERMSIG(waitStatus);
        exited.status = static_cast<uint8_t>(std::min(128 + *exited.signal, 255));
    } else {
        exited.status = 255;
        exited.exitCode = 255;
    }
    return exited;
}

Frame ExecExited::toFrame() const
{
    nlohmann::json json = {{"status", status}};
    if (exitCode)
        json["exitCode"] = *exitCode;
    if (signal)
        json["signal"] = *signal;
    return makeFrame(MessageKind::ExecExited, std::move(json));
}

Result<ExecExited> ExecExited::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "ExecExited"));
    ExecExited exited;
    exited.status = static_cast<uint8_t>(VMM_TRY(fields.unsignedInteger("status", 0, 255)));
    if (fields.has("exitCode"))
        exited.exitCode = static_cast<int>(VMM_TRY(fields.integer("exitCode", 0, 255)));
    if (fields.has("signal"))
        exited.signal = static_cast<int>(VMM_TRY(fields.integer("signal", 1, kMaxSignal)));
    if (exited.exitCode.has_value() == exited.signal.has_value())
        return failure(fields.fieldError("exitCode", "exactly one of exitCode and signal"));
    return exited;
}

} // namespace vmm
