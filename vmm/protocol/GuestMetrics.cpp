#include "GuestMetrics.h"

#include "JsonFields.h"

namespace vmm {

namespace {
constexpr double kMaxLoad = 1e6;
constexpr double kMaxUptime = 1e12;
} // namespace

Frame GuestMetrics::toFrame() const
{
    return makeFrame(MessageKind::Metrics,
        {{"memoryTotalBytes", memoryTotalBytes}, {"memoryAvailableBytes", memoryAvailableBytes},
            {"memoryUsedBytes", memoryUsedBytes}, {"cpuBusyPercent", cpuBusyPercent},
            {"load1", load1}, {"load5", load5}, {"load15", load15},
            {"workUsedBytes", workUsedBytes}, {"workTotalBytes", workTotalBytes},
            {"uptimeSeconds", uptimeSeconds}});
}

Result<GuestMetrics> GuestMetrics::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "Metrics"));
    GuestMetrics metrics;
    metrics.memoryTotalBytes = VMM_TRY(fields.unsignedInteger("memoryTotalBytes", 0, UINT64_MAX));
    metrics.memoryAvailableBytes =
        VMM_TRY(fields.unsignedInteger("memoryAvailableBytes", 0, metrics.memoryTotalBytes));
    metrics.memoryUsedBytes =
        VMM_TRY(fields.unsignedInteger("memoryUsedBytes", 0, metrics.memoryTotalBytes));
    metrics.cpuBusyPercent = VMM_TRY(fields.number("cpuBusyPercent", 0, 100));
    metrics.load1 = VMM_TRY(fields.number("load1", 0, kMaxLoad));
    metrics.load5 = VMM_TRY(fields.number("load5", 0, kMaxLoad));
    metrics.load15 = VMM_TRY(fields.number("load15", 0, kMaxLoad));
    metrics.workTotalBytes = VMM_TRY(fields.unsignedInteger("workTotalBytes", 0, UINT64_MAX));
    metrics.workUsedBytes =
        VMM_TRY(fields.unsignedInteger("workUsedBytes", 0, metrics.workTotalBytes));
    metrics.uptimeSeconds = VMM_TRY(fields.number("uptimeSeconds", 0, kMaxUptime));
    return metrics;
}

} // namespace vmm
