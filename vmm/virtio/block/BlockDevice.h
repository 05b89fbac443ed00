#pragma once

#include "block/BlockBackend.h"
#include "virtio/GuestErrorLog.h"
#include "virtio/VirtioDevice.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace vmm {

/// What a disk has done since it was created; the control channel reports it.
struct BlockDeviceStats {
    uint64_t bytesRead = 0;
    uint64_t readOperations = 0;
    uint64_t bytesWritten = 0;
    uint64_t writeOperations = 0;
    uint64_t flushes = 0;
    uint64_t errors = 0; ///< requests completed with VIRTIO_BLK_S_IOERR or _UNSUPP
};

/// A virtio-blk disk (virtio 1.1 §5.2) over a BlockBackend: one queue; requests IN, OUT, FLUSH and
/// GET_ID. Everything else (DISCARD, WRITE_ZEROES, unknown types) completes with UNSUPP. A
/// read-only backend is offered with VIRTIO_BLK_F_RO and its OUT requests fail with IOERR before
/// the backend sees them. Every request is checked against the host-owned capacity with
/// overflow-safe math, data moves straight between guest memory and the backend (a 512-byte
/// bounce only where a buffer splits a sector), and each popped chain is completed exactly once.
///
/// A disk made without a backend is an empty spare: read-only, capacity 0 (every read fails), its
/// serial the one given. fill() gives it a backend and a new serial once, while the guest runs
/// (a dataset added to a running session); the transport then tells the driver that the
/// configuration changed (MmioTransport::changeConfiguration).
class BlockDevice final : public VirtioDevice {
public:
    static constexpr uint16_t kQueueSize = 256;
    /// VIRTIO_BLK_F_SEG_MAX: data buffers per request (the header and status take two more).
    static constexpr uint32_t kMaxSegments = kQueueSize - 2;
    /// VIRTIO_BLK_F_SIZE_MAX: bytes per data buffer.
    static constexpr uint32_t kMaxSegmentBytes = 64 * 1024;
    /// The largest request served; larger ones fail (a Linux guest never sends one).
    static constexpr uint64_t kMaxRequestBytes = uint64_t {kMaxSegments} * kMaxSegmentBytes;
    /// Per notification at most this many requests or (after the one that crosses it) bytes.
    static constexpr int kRequestsPerNotification = 64;
    static constexpr uint64_t kBytesPerNotification = 32ull << 20;
    /// VIRTIO_BLK_ID_BYTES: the GET_ID answer's size.
    static constexpr size_t kSerialBytes = 20;

    /// A disk over `backend`; `serial` (at most 20 bytes are used) names it to the guest, which
    /// shows it as /sys/block/vdX/serial. A null `backend` makes an empty read-only spare.
    BlockDevice(std::shared_ptr<BlockBackend> backend, std::string serial);

    uint32_t deviceType() const override;
    uint64_t features() const override;
    std::vector<uint16_t> queueMaxSizes() const override { return {kQueueSize}; }
    void readConfig(uint64_t offset, std::span<uint8_t> data) override;
    Result<void> activate(const VirtioActivation& activation) override;
    Progress processQueue(size_t index) override;
    void reset() override;

    /// The counters so far; any thread may call this.
    BlockDeviceStats stats() const;

    /// Whether this is a spare that has no backend yet. With mutex() held.
    bool isEmptySpare() const { return !m_backend; }
    /// Fills an empty spare with the read-only `backend`, named `serial` from now on (GET_ID);
    /// its capacity becomes the backend's. Fails, changing nothing, on a disk that has a backend
    /// already or a backend that is not read-only (the spare was offered VIRTIO_BLK_F_RO). With
    /// mutex() held; the caller then signals the configuration change (virtio 1.2 §5.2.4: Linux
    /// reads the new capacity on that interrupt).
    Result<void> fill(std::shared_ptr<BlockBackend> backend, std::string serial);

private:
    /// Handles one request and completes it; returns the data bytes it moved.
    uint64_t handle(const DescriptorChain& chain);
    uint8_t execute(const DescriptorChain& chain, uint32_t type, uint64_t sector,
        uint64_t& dataWritten, uint64_t& dataMoved);
    /// Whether [sector * 512, + length) lies inside the disk, with no overflow.
    bool inside(uint64_t sector, uint64_t length) const;

    std::shared_ptr<BlockBackend> m_backend;
    std::array<uint8_t, kSerialBytes> m_serial {};
    uint64_t m_capacityBytes = 0; // host-owned: read once from the backend (fill() sets a spare's)
    bool m_readOnly = true;
    Queue* m_queue = nullptr; // while active
    GuestErrorLog m_log {"virtio-blk"};

    std::atomic<uint64_t> m_bytesRead {0};
    std::atomic<uint64_t> m_readOperations {0};
    std::atomic<uint64_t> m_bytesWritten {0};
    std::atomic<uint64_t> m_writeOperations {0};
    std::atomic<uint64_t> m_flushes {0};
    std::atomic<uint64_t> m_errors {0};
};

} // namespace vmm
