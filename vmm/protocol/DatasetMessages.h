#pragma once

#include "Frame.h"
#include "sys/Result.h"

#include <cstdint>
#include <string>

namespace vmm {

/// Mount a dataset the host has just attached (MessageKind::MountDatasetRequest): the disk
/// whose serial is "airlock-ds<index>", read-only at /datasets/<name>. JSON: {"index": 0..999,
/// "name": 1..255 bytes, no '/' or control character (the guest checks it again)}. The answer:
/// MountDatasetDone, or an Error (the disk never appeared, a bad or taken name, mount failed).
struct MountDatasetRequest {
    static constexpr uint64_t kMaxIndex = 999;
    static constexpr size_t kMaxNameBytes = 255;

    uint64_t index = 0;
    std::string name;

    Frame toFrame() const;
    static Result<MountDatasetRequest> fromJson(const nlohmann::json& json);
};

/// The dataset is mounted (MessageKind::MountDatasetDone). JSON: {"path": "/datasets/<name>"}.
struct MountDatasetDone {
    static constexpr size_t kMaxPathBytes = 4096;

    std::string path;

    Frame toFrame() const;
    static Result<MountDatasetDone> fromJson(const nlohmann::json& json);
};

} // namespace vmm
