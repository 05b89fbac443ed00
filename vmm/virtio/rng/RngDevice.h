#pragma once

#include "virtio/VirtioDevice.h"

#include <atomic>
#include <cstdint>

namespace vmm {

/// A virtio entropy device (virtio 1.1 §5.4): one queue whose device-writable buffers it fills
/// from the host kernel's getrandom(), so the guest never stalls waiting for entropy.
class RngDevice final : public VirtioDevice {
public:
    static constexpr uint16_t kQueueSize = 64;
    /// Bytes given per request at most; the guest asks again for more.
    static constexpr size_t kMaxBytesPerRequest = 64 * 1024;
    /// Requests per notification at most.
    static constexpr int kRequestsPerNotification = 64;

    uint32_t deviceType() const override;
    uint64_t features() const override;
    std::vector<uint16_t> queueMaxSizes() const override { return {kQueueSize}; }
    void readConfig(uint64_t offset, std::span<uint8_t> data) override;
    Result<void> activate(const VirtioActivation& activation) override;
    Progress processQueue(size_t index) override;
    void reset() override;

    /// Random bytes given to the guest so far; any thread may call this.
    uint64_t bytesProvided() const { return m_bytesProvided.load(std::memory_order_relaxed); }

private:
    Queue* m_queue = nullptr; // while active
    std::atomic<uint64_t> m_bytesProvided {0};
};

} // namespace vmm
