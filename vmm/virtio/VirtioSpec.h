#pragma once

#include <cstdint>

// Constants of the virtio 1.1 specification (section numbers are 1.1's) that the transport, the
// queue and several devices share. Names are the spec's, in the house's kCamelCase; the section is
// given for each group.
namespace vmm::virtio {

/// Device IDs (spec 5 "Device Types").
inline constexpr uint32_t kDeviceIdBlock = 2;
inline constexpr uint32_t kDeviceIdEntropy = 4;
inline constexpr uint32_t kDeviceIdSocket = 19;

/// Device status bits (spec 2.1 "Device Status Field").
inline constexpr uint32_t kStatusAcknowledge = 1;
inline constexpr uint32_t kStatusDriver = 2;
inline constexpr uint32_t kStatusDriverOk = 4;
inline constexpr uint32_t kStatusFeaturesOk = 8;
inline constexpr uint32_t kStatusDeviceNeedsReset = 64;
inline constexpr uint32_t kStatusFailed = 128;

/// Reserved feature bits (spec 6 "Reserved Feature Bits"), as bit numbers.
inline constexpr unsigned kFeatureRingIndirectDesc = 28; // VIRTIO_F_INDIRECT_DESC: never offered
inline constexpr unsigned kFeatureRingEventIdx = 29; // VIRTIO_F_EVENT_IDX: never offered
inline constexpr unsigned kFeatureVersion1 = 32; // VIRTIO_F_VERSION_1: always offered

/// The bit for feature number `bit`.
constexpr uint64_t featureBit(unsigned bit)
{
    return uint64_t {1} << bit;
}

/// Split virtqueue flags (spec 2.6.5 "The Virtqueue Descriptor Table", 2.6.6, 2.6.8).
inline constexpr uint16_t kDescriptorFlagNext = 1; // VIRTQ_DESC_F_NEXT
inline constexpr uint16_t kDescriptorFlagWrite = 2; // VIRTQ_DESC_F_WRITE
inline constexpr uint16_t kDescriptorFlagIndirect = 4; // VIRTQ_DESC_F_INDIRECT
inline constexpr uint16_t kAvailFlagNoInterrupt = 1; // VIRTQ_AVAIL_F_NO_INTERRUPT
inline constexpr uint16_t kUsedFlagNoNotify = 1; // VIRTQ_USED_F_NO_NOTIFY

/// The largest split queue the spec allows (2.6 "Split Virtqueues": Queue Size up to 32768).
inline constexpr uint16_t kMaxQueueSize = 32768;

/// Interrupt causes (spec 4.2.2 InterruptStatus bits).
inline constexpr uint32_t kInterruptUsedBuffer = 1; // VIRTIO_MMIO_INT_VRING
inline constexpr uint32_t kInterruptConfigChange = 2; // VIRTIO_MMIO_INT_CONFIG

} // namespace vmm::virtio
