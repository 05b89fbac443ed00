#include "RngDevice.h"

#include "virtio/VirtioSpec.h"

#include <algorithm>
#include <cerrno>

#include <sys/random.h>

namespace vmm {

namespace {

// Fills `bytes` from getrandom(); returns how many were filled (all, unless the kernel fails).
size_t fillRandom(std::span<uint8_t> bytes)
{
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t count = ::getrandom(bytes.data() + done, bytes.size() - done, 0);
        if (count < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        done += static_cast<size_t>(count);
    }
    return done;
}

} // namespace

uint32_t RngDevice::deviceType() const
{
    return virtio::kDeviceIdEntropy;
}

uint64_t RngDevice::features() const
{
    return virtio::featureBit(virtio::kFeatureVersion1); // §5.4.3: no device-specific features
}

void RngDevice::readConfig(uint64_t, std::span<uint8_t>)
{
    // §5.4.4: no configuration space; reads stay zero.
}

Result<void> RngDevice::activate(const VirtioActivation& activation)
{
    if (activation.queues.size() != 1)
        return failure(Error::invalid("virtio-rng", "needs exactly one queue"));
    m_queue = &activation.queues[0];
    return {};
}

void RngDevice::reset()
{
    m_queue = nullptr;
}

VirtioDevice::Progress RngDevice::processQueue(size_t index)
{
    if (!m_queue || index != 0)
        return Progress::Idle;
    for (int count = 0; count < kRequestsPerNotification; ++count) {
        std::optional<DescriptorChain> chain = m_queue->pop();
        if (!chain)
            return Progress::Idle;
        // §5.4.6: fill the device-writable buffers (readable ones, which a driver must not
        // send, are ignored), at most kMaxBytesPerRequest, straight into guest memory.
        size_t filled = 0;
        for (const Descriptor& descriptor : chain->writable()) {
            size_t want = std::min(descriptor.bytes.size(), kMaxBytesPerRequest - filled);
            size_t got = fillRandom(descriptor.bytes.first(want));
            filled += got;
            if (got < want || filled == kMaxBytesPerRequest)
                break;
        }
        m_bytesProvided.fetch_add(filled, std::memory_order_relaxed);
        (void)m_queue->addUsed(chain->head(), static_cast<uint32_t>(filled));
    }
    return m_queue->hasPending() ? Progress::MorePending : Progress::Idle;
}

} // namespace vmm
