#include "StoragePlan.h"

#include "Base64Url.h"
#include "KernelCommandLine.h"
#include "protocol/Utf8.h"

#include <algorithm>
#include <charconv>
#include <dirent.h>
#include <fstream>
#include <set>
#include <sstream>

namespace vmm::guest {

namespace {

constexpr std::string_view kNameParameter = "airlock.ds";
constexpr std::string_view kDatasetSerial = "airlock-ds";
constexpr std::string_view kScratchSerial = "airlock-scratch";

Error refused(std::string_view detail)
{
    return Error::invalid("storage", detail);
}

// A decimal index without sign or leading zeros, below kMaxDatasets.
std::optional<unsigned> parseIndex(std::string_view text)
{
    unsigned value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
        (text.size() > 1 && text.front() == '0') || value >= StoragePlan::kMaxDatasets)
        return std::nullopt;
    return value;
}

} // namespace

Result<void> StoragePlan::validateName(std::string_view name)
{
    if (name.empty() || name.size() > kMaxNameBytes)
        return failure(refused("a dataset name must be 1 to 255 bytes"));
    if (name == "." || name == "..")
        return failure(refused("a dataset cannot be named \".\" or \"..\""));
    if (!Utf8::isValid(name))
        return failure(refused("a dataset name is not UTF-8"));
    for (char c : name) {
        auto byte = static_cast<unsigned char>(c);
        if (c == '/' || byte < 0x20 || byte == 0x7f)
            return failure(refused("dataset name \"" + Utf8::sanitized(name) +
                "\" holds '/', NUL or a control character"));
    }
    return {};
}

Result<std::map<unsigned, std::string>> StoragePlan::parseNames(std::string_view commandLine)
{
    std::map<unsigned, std::string> names;
    std::set<std::string> seen;
    for (const std::string& word : KernelCommandLine::parameters(commandLine)) {
        if (word.rfind(kNameParameter, 0) != 0)
            continue;
        size_t equals = word.find('=');
        if (equals == std::string::npos)
            return failure(refused(word + ": no '=' and name"));
        std::string_view indexText =
            std::string_view(word).substr(kNameParameter.size(), equals - kNameParameter.size());
        auto index = parseIndex(indexText);
        if (!index)
            return failure(refused("bad dataset index in " + word.substr(0, equals)));
        auto name = Base64Url::decode(std::string_view(word).substr(equals + 1));
        if (!name)
            return failure(refused(word.substr(0, equals) + ": the name is not base64url"));
        VMM_TRY(validateName(*name));
        if (names.count(*index) != 0)
            return failure(refused(word.substr(0, equals) + " given twice"));
        if (!seen.insert(*name).second)
            return failure(refused("two datasets named \"" + *name + "\""));
        names[*index] = *name;
    }
    return names;
}

Result<StoragePlan> StoragePlan::make(
    const std::map<unsigned, std::string>& names, const std::vector<Disk>& disks)
{
    StoragePlan plan;
    std::map<unsigned, std::string> datasetDevices;
    std::set<std::string> serials;
    for (const Disk& disk : disks) {
        bool ours = disk.serial.rfind(kDatasetSerial, 0) == 0 || disk.serial == kScratchSerial;
        if (!ours)
            continue;
        if (!serials.insert(disk.serial).second)
            return failure(refused("two disks with serial " + disk.serial));
        if (disk.serial == kScratchSerial) {
            plan.scratchDevice = disk.device;
            continue;
        }
        auto index = parseIndex(std::string_view(disk.serial).substr(kDatasetSerial.size()));
        if (!index)
            return failure(refused(disk.device + ": bad dataset serial " + disk.serial));
        datasetDevices[*index] = disk.device;
    }
    for (const auto& [index, device] : datasetDevices) {
        auto name = names.find(index);
        if (name == names.end())
            return failure(refused("disk " + device + " is dataset " + std::to_string(index) +
                " but the command line names no airlock.ds" + std::to_string(index)));
        plan.datasets.push_back(Dataset {index, name->second, device});
    }
    for (const auto& [index, name] : names) {
        if (datasetDevices.count(index) == 0)
            return failure(refused("dataset \"" + name + "\" (airlock.ds" + std::to_string(index) +
                ") has no disk with serial airlock-ds" + std::to_string(index)));
    }
    return plan;
}

std::vector<StoragePlan::Disk> StoragePlan::scanDisks(const std::string& sysBlock)
{
    std::vector<Disk> disks;
    DIR* directory = ::opendir(sysBlock.c_str());
    if (directory == nullptr)
        return disks;
    while (dirent* entry = ::readdir(directory)) {
        std::string device = entry->d_name;
        if (device.rfind("vd", 0) != 0)
            continue;
        std::ifstream file(sysBlock + "/" + device + "/serial");
        std::stringstream text;
        text << file.rdbuf();
        std::string serial = text.str();
        while (!serial.empty() &&
            (serial.back() == '\n' || serial.back() == ' ' || serial.back() == '\0'))
            serial.pop_back();
        disks.push_back(Disk {device, serial});
    }
    ::closedir(directory);
    std::sort(disks.begin(), disks.end(),
        [](const Disk& a, const Disk& b) { return a.device < b.device; });
    return disks;
}

} // namespace vmm::guest
