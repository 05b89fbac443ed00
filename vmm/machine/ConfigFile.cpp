#include "ConfigFile.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <fstream>
#include <sstream>

namespace vmm {

using nlohmann::json;

static constexpr size_t kMaxConfigFileSize = 1 << 20;

Result<uint64_t> parseMemorySize(std::string_view text)
{
    uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end == text.data())
        return failure(Error::invalid("memory size", "'" + std::string(text)
                + "' is not a size; write it in MiB (512) or with a unit (512M, 2G)"));
    std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
    unsigned shift = 20;
    if (unit == "G" || unit == "GiB" || unit == "g")
        shift = 30;
    else if (!(unit.empty() || unit == "M" || unit == "MiB" || unit == "m"))
        return failure(Error::invalid("memory size", "unknown unit '" + std::string(unit)
                + "'; use M or G"));
    if (value == 0 || value > (uint64_t { 1 } << (63 - shift)))
        return failure(Error::invalid("memory size", "'" + std::string(text) + "' is out of range"));
    return value << shift;
}

static std::string resolvePath(const std::string& path, const std::string& baseDirectory)
{
    if (path.empty() || path.front() == '/' || baseDirectory.empty())
        return path;
    return baseDirectory.back() == '/' ? baseDirectory + path : baseDirectory + "/" + path;
}

static Result<std::string> stringField(const json& object, const char* key)
{
    const json& value = object.at(key);
    if (!value.is_string())
        return failure(Error::invalid("config", std::string("\"") + key + "\" must be a string"));
    return value.get<std::string>();
}

Result<MachineConfig> parseMachineConfig(std::string_view text, const std::string& baseDirectory)
{
    json document = json::parse(text.begin(), text.end(), nullptr, false);
    if (document.is_discarded())
        return failure(Error::invalid("config", "not valid JSON"));
    if (!document.is_object())
        return failure(Error::invalid("config", "the top level must be a JSON object"));

    MachineConfig config;
    for (const auto& [key, value] : document.items()) {
        if (key == "kernel") {
            config.kernelPath = resolvePath(VMM_TRY(stringField(document, "kernel")), baseDirectory);
        } else if (key == "initramfs") {
            config.initrdPath = resolvePath(VMM_TRY(stringField(document, "initramfs")), baseDirectory);
        } else if (key == "cmdline") {
            config.commandLineAppend = VMM_TRY(stringField(document, "cmdline"));
        } else if (key == "memory") {
            if (value.is_number_unsigned())
                config.memoryBytes = VMM_TRY(parseMemorySize(std::to_string(value.get<uint64_t>())));
            else if (value.is_string())
                config.memoryBytes = VMM_TRY(parseMemorySize(value.get<std::string>()));
            else
                return failure(Error::invalid("config", "\"memory\" must be MiB as a number or a string like \"1G\""));
        } else if (key == "vcpus") {
            if (!value.is_number_unsigned() || value.get<uint64_t>() > 1024)
                return failure(Error::invalid("config", "\"vcpus\" must be a small positive number"));
            config.vcpuCount = value.get<uint32_t>();
        } else if (key == "command") {
            if (!value.is_array())
                return failure(Error::invalid("config", "\"command\" must be an array of strings"));
            for (const json& word : value) {
                if (!word.is_string())
                    return failure(Error::invalid("config", "\"command\" must be an array of strings"));
                config.command.push_back(word.get<std::string>());
            }
        } else {
            return failure(Error::invalid("config", "unknown key \"" + key
                    + "\" (known: kernel, initramfs, cmdline, memory, vcpus, command)"));
        }
    }
    return config;
}

Result<MachineConfig> loadMachineConfig(const std::string& path)
{
    std::ifstream file(path);
    if (!file)
        return failure(Error::fromErrno("config", errno, "cannot read '" + path + "'"));
    std::stringstream buffer;
    buffer << file.rdbuf();
    std::string text = buffer.str();
    if (text.size() > kMaxConfigFileSize)
        return failure(Error::invalid("config", "'" + path + "' is larger than 1 MiB"));
    std::string directory;
    if (auto slash = path.rfind('/'); slash != std::string::npos)
        directory = slash == 0 ? "/" : path.substr(0, slash);
    auto config = parseMachineConfig(text, directory);
    if (!config)
        return failure(config.error().withContext("in '" + path + "'"));
    return config;
}

} // namespace vmm
