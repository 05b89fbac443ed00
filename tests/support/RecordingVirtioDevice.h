#pragma once

// A virtio device for transport and queue tests: it records what the transport hands it and
// keeps every chain it pops, so a test decides when (and whether) each one is completed.

#include "virtio/VirtioDevice.h"
#include "virtio/VirtioSpec.h"

#include <cstdint>
#include <optional>
#include <vector>

class RecordingVirtioDevice final : public vmm::VirtioDevice {
public:
    explicit RecordingVirtioDevice(std::vector<uint16_t> queueSizes = {16},
        uint64_t features = vmm::virtio::featureBit(vmm::virtio::kFeatureVersion1))
        : m_queueSizes(std::move(queueSizes))
        , m_features(features)
    {
    }

    uint32_t deviceType() const override { return vmm::virtio::kDeviceIdEntropy; }
    uint64_t features() const override { return m_features; }
    std::vector<uint16_t> queueMaxSizes() const override { return m_queueSizes; }
    void readConfig(uint64_t offset, std::span<uint8_t> data) override
    {
        for (size_t i = 0; i < data.size(); ++i)
            data[i] = static_cast<uint8_t>(0xc0 + offset + i); // a recognisable pattern
    }
    vmm::Result<void> activate(const vmm::VirtioActivation& activation) override
    {
        ++activations;
        queues = activation.queues;
        interrupt = &activation.interrupt;
        acceptedFeatures = activation.features;
        activeSizes.clear();
        for (const vmm::Queue& queue : queues)
            activeSizes.push_back(queue.size());
        return {};
    }
    Progress processQueue(size_t index) override
    {
        ++notifications;
        for (int count = 0; count < popsPerNotification; ++count) {
            std::optional<vmm::DescriptorChain> chain = queues[index].pop();
            if (!chain)
                return Progress::Idle;
            if (completeAtOnce)
                (void)queues[index].addUsed(
                    chain->head(), static_cast<uint32_t>(chain->writableLength()));
            chains.push_back(std::move(*chain));
        }
        return queues[index].hasPending() ? Progress::MorePending : Progress::Idle;
    }
    void reset() override
    {
        ++resets;
        queues = {};
        interrupt = nullptr;
    }

    // What the test looks at and steers (read with no notification running).
    std::vector<vmm::DescriptorChain> chains;
    std::span<vmm::Queue> queues;
    vmm::VirtioInterrupt* interrupt = nullptr;
    std::vector<uint16_t> activeSizes;
    uint64_t acceptedFeatures = 0;
    int activations = 0;
    int resets = 0;
    int notifications = 0;
    int popsPerNotification = 1000;
    bool completeAtOnce = false;

private:
    std::vector<uint16_t> m_queueSizes;
    uint64_t m_features;
};
