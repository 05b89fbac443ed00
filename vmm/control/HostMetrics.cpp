#include "HostMetrics.h"

#include "ControlJson.h"
#include "protocol/JsonFields.h"

namespace vmm {

namespace {
constexpr size_t kMaxLabelBytes = 300;
} // namespace

nlohmann::json HostMetrics::toJson() const
{
    nlohmann::json vcpuList = nlohmann::json::array();
    for (const VcpuMetrics& vcpu : vcpus)
        vcpuList.push_back({{"index", vcpu.index}, {"cpuTimeNs", vcpu.cpuTimeNs}});
    nlohmann::json diskList = nlohmann::json::array();
    for (const DiskMetrics& disk : disks)
        diskList.push_back({{"label", disk.label}, {"bytesRead", disk.bytesRead},
            {"readOperations", disk.readOperations}, {"bytesWritten", disk.bytesWritten},
            {"writeOperations", disk.writeOperations}, {"flushes", disk.flushes},
            {"errors", disk.errors}});
    nlohmann::json json {{"uptimeMs", uptimeMs}, {"vcpus", std::move(vcpuList)},
        {"processCpuTimeNs", processCpuTimeNs}, {"rssBytes", rssBytes},
        {"guestResidentBytes", guestResidentBytes},
        {"rssExcludingGuestBytes", rssExcludingGuestBytes}, {"disks", std::move(diskList)},
        {"consoleDroppedBytes", consoleDroppedBytes}};
    if (vsock)
        json["vsock"] = {{"connectionsOpen", vsock->connectionsOpen},
            {"connectionsOpened", vsock->connectionsOpened},
            {"connectionsRefused", vsock->connectionsRefused},
            {"bytesToGuest", vsock->bytesToGuest}, {"bytesFromGuest", vsock->bytesFromGuest},
            {"malformedPackets", vsock->malformedPackets}};
    return json;
}

Result<HostMetrics> HostMetrics::fromJson(const nlohmann::json& json)
{
    JsonFields fields = VMM_TRY(JsonFields::of(json, "metrics"));
    HostMetrics metrics;
    metrics.uptimeMs = VMM_TRY(fields.unsignedInteger("uptimeMs", 0, UINT64_MAX));
    for (const nlohmann::json* item : VMM_TRY(objectArray(json, "vcpus", kMaxVcpus, "metrics"))) {
        JsonFields each = VMM_TRY(JsonFields::of(*item, "metrics vcpu"));
        VcpuMetrics vcpu;
        vcpu.index =
            static_cast<uint32_t>(VMM_TRY(each.unsignedInteger("index", 0, kMaxVcpus - 1)));
        vcpu.cpuTimeNs = VMM_TRY(each.unsignedInteger("cpuTimeNs", 0, UINT64_MAX));
        metrics.vcpus.push_back(vcpu);
    }
    metrics.processCpuTimeNs = VMM_TRY(fields.unsignedInteger("processCpuTimeNs", 0, UINT64_MAX));
    metrics.rssBytes = VMM_TRY(fields.unsignedInteger("rssBytes", 0, UINT64_MAX));
    metrics.guestResidentBytes =
        VMM_TRY(fields.unsignedInteger("guestResidentBytes", 0, UINT64_MAX));
    metrics.rssExcludingGuestBytes =
        VMM_TRY(fields.unsignedInteger("rssExcludingGuestBytes", 0, UINT64_MAX));
    for (const nlohmann::json* item : VMM_TRY(objectArray(json, "disks", kMaxDisks, "metrics"))) {
        JsonFields each = VMM_TRY(JsonFields::of(*item, "metrics disk"));
        DiskMetrics disk;
        disk.label = VMM_TRY(each.string("label", kMaxLabelBytes));
        disk.bytesRead = VMM_TRY(each.unsignedInteger("bytesRead", 0, UINT64_MAX));
        disk.readOperations = VMM_TRY(each.unsignedInteger("readOperations", 0, UINT64_MAX));
        disk.bytesWritten = VMM_TRY(each.unsignedInteger("bytesWritten", 0, UINT64_MAX));
        disk.writeOperations = VMM_TRY(each.unsignedInteger("writeOperations", 0, UINT64_MAX));
        disk.flushes = VMM_TRY(each.unsignedInteger("flushes", 0, UINT64_MAX));
        disk.errors = VMM_TRY(each.unsignedInteger("errors", 0, UINT64_MAX));
        metrics.disks.push_back(std::move(disk));
    }
    if (fields.has("vsock")) {
        JsonFields each = VMM_TRY(JsonFields::of(json.at("vsock"), "metrics vsock"));
        VsockMetrics vsock;
        vsock.connectionsOpen = VMM_TRY(each.unsignedInteger("connectionsOpen", 0, UINT64_MAX));
        vsock.connectionsOpened = VMM_TRY(each.unsignedInteger("connectionsOpened", 0, UINT64_MAX));
        vsock.connectionsRefused =
            VMM_TRY(each.unsignedInteger("connectionsRefused", 0, UINT64_MAX));
        vsock.bytesToGuest = VMM_TRY(each.unsignedInteger("bytesToGuest", 0, UINT64_MAX));
        vsock.bytesFromGuest = VMM_TRY(each.unsignedInteger("bytesFromGuest", 0, UINT64_MAX));
        vsock.malformedPackets = VMM_TRY(each.unsignedInteger("malformedPackets", 0, UINT64_MAX));
        metrics.vsock = vsock;
    }
    metrics.consoleDroppedBytes =
        VMM_TRY(fields.unsignedInteger("consoleDroppedBytes", 0, UINT64_MAX));
    return metrics;
}

} // namespace vmm
