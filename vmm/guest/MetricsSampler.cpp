#include "MetricsSampler.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include <sys/statvfs.h>

namespace vmm::guest {

namespace {

std::string readSmallFile(const std::string& path)
{
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

std::vector<std::string_view> words(std::string_view line)
{
    std::vector<std::string_view> result;
    size_t position = 0;
    while (position < line.size()) {
        size_t start = line.find_first_not_of(" \t", position);
        if (start == std::string_view::npos)
            break;
        size_t end = std::min(line.find_first_of(" \t", start), line.size());
        result.push_back(line.substr(start, end - start));
        position = end;
    }
    return result;
}

std::optional<uint64_t> toUnsigned(std::string_view text)
{
    uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

std::optional<double> toDouble(std::string_view text)
{
    double value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
        value < 0)
        return std::nullopt;
    return value;
}

// Each line of `text`, in order.
template<typename Visit> void forEachLine(std::string_view text, Visit visit)
{
    while (!text.empty()) {
        size_t end = std::min(text.find('\n'), text.size());
        if (!visit(text.substr(0, end)))
            return;
        text.remove_prefix(std::min(end + 1, text.size()));
    }
}

} // namespace

std::optional<MetricsSampler::Memory> MetricsSampler::parseMemory(std::string_view meminfo)
{
    std::optional<uint64_t> total;
    std::optional<uint64_t> available;
    forEachLine(meminfo, [&](std::string_view line) {
        auto fields = words(line);
        if (fields.size() >= 2) {
            auto kib = toUnsigned(fields[1]);
            if (kib && *kib < UINT64_MAX / 1024) {
                if (fields[0] == "MemTotal:")
                    total = *kib * 1024;
                else if (fields[0] == "MemAvailable:")
                    available = *kib * 1024;
            }
        }
        return !(total && available);
    });
    if (!total || !available)
        return std::nullopt;
    return Memory {*total, std::min(*available, *total)};
}

std::optional<MetricsSampler::CpuTimes> MetricsSampler::parseCpuTimes(std::string_view stat)
{
    std::optional<CpuTimes> times;
    forEachLine(stat, [&](std::string_view line) {
        auto fields = words(line);
        if (fields.empty() || fields[0] != "cpu")
            return true;
        // user nice system idle iowait irq softirq steal (guest time is inside user already).
        uint64_t values[8] = {};
        for (size_t i = 0; i < 8 && i + 1 < fields.size(); ++i) {
            auto value = toUnsigned(fields[i + 1]);
            if (!value)
                return false;
            values[i] = *value;
        }
        uint64_t total = 0;
        for (uint64_t value : values)
            total += value;
        uint64_t idle = values[3] + values[4];
        times = CpuTimes {total - std::min(idle, total), total};
        return false;
    });
    return times;
}

std::optional<std::array<double, 3>> MetricsSampler::parseLoadAverages(std::string_view loadavg)
{
    auto fields = words(loadavg.substr(0, loadavg.find('\n')));
    if (fields.size() < 3)
        return std::nullopt;
    std::array<double, 3> loads {};
    for (size_t i = 0; i < 3; ++i) {
        auto value = toDouble(fields[i]);
        if (!value)
            return std::nullopt;
        loads[i] = *value;
    }
    return loads;
}

std::optional<double> MetricsSampler::parseUptime(std::string_view uptime)
{
    auto fields = words(uptime.substr(0, uptime.find('\n')));
    if (fields.empty())
        return std::nullopt;
    return toDouble(fields[0]);
}

double MetricsSampler::busyPercent(const CpuTimes& before, const CpuTimes& after)
{
    if (after.total <= before.total || after.busy < before.busy)
        return 0;
    double busy = static_cast<double>(after.busy - before.busy);
    double total = static_cast<double>(after.total - before.total);
    return std::clamp(100.0 * busy / total, 0.0, 100.0);
}

GuestMetrics MetricsSampler::sample()
{
    GuestMetrics metrics;
    if (auto memory = parseMemory(readSmallFile(m_procRoot + "/meminfo"))) {
        metrics.memoryTotalBytes = memory->totalBytes;
        metrics.memoryAvailableBytes = memory->availableBytes;
        metrics.memoryUsedBytes = memory->totalBytes - memory->availableBytes;
    }
    if (auto times = parseCpuTimes(readSmallFile(m_procRoot + "/stat"))) {
        std::lock_guard lock(m_mutex);
        metrics.cpuBusyPercent = busyPercent(m_previous, *times);
        m_previous = *times;
    }
    if (auto loads = parseLoadAverages(readSmallFile(m_procRoot + "/loadavg"))) {
        metrics.load1 = (*loads)[0];
        metrics.load5 = (*loads)[1];
        metrics.load15 = (*loads)[2];
    }
    metrics.uptimeSeconds = parseUptime(readSmallFile(m_procRoot + "/uptime")).value_or(0);
    struct statvfs disk { };
    if (::statvfs(m_workPath.c_str(), &disk) == 0) {
        metrics.workTotalBytes = uint64_t {disk.f_blocks} * disk.f_frsize;
        uint64_t freeBytes = uint64_t {disk.f_bfree} * disk.f_frsize;
        metrics.workUsedBytes =
            metrics.workTotalBytes - std::min(freeBytes, metrics.workTotalBytes);
    }
    return metrics;
}

} // namespace vmm::guest
