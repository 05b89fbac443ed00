#pragma once

#include "sys/Result.h"

#include <cstdint>
#include <span>

namespace vmm {

/// The bytes behind one virtio-blk disk: a plain file, a synthesized EROFS dataset image, or the
/// encrypted scratch file. The device has already checked every request against sizeBytes() with
/// overflow-safe math; a backend still refuses what lies outside (defence in depth). Offsets and
/// lengths are multiples of kSectorSize. Called from the device thread only.
class BlockBackend {
public:
    static constexpr uint64_t kSectorSize = 512;

    virtual ~BlockBackend() = default;

    /// The disk's size in bytes, a multiple of kSectorSize; fixed for the backend's life.
    virtual uint64_t sizeBytes() const = 0;
    /// Whether writes are refused. True for datasets: the host fd is O_RDONLY as well.
    virtual bool isReadOnly() const = 0;
    /// Fills `destination` with the bytes at `offset`.
    virtual Result<void> read(uint64_t offset, std::span<uint8_t> destination) = 0;
    /// Fills `buffers`, one after another, with the bytes from `offset` on: one request's
    /// scattered guest pages in one call (preadv where the backend can). Each buffer's size is a
    /// multiple of kSectorSize.
    virtual Result<void> readVectored(uint64_t offset, std::span<const std::span<uint8_t>> buffers)
    {
        for (std::span<uint8_t> buffer : buffers) {
            VMM_TRY(read(offset, buffer));
            offset += buffer.size();
        }
        return {};
    }
    /// Stores `source` at `offset`; fails (EROFS) on a read-only backend.
    virtual Result<void> write(uint64_t offset, std::span<const uint8_t> source) = 0;
    /// Makes every completed write durable (fdatasync for files).
    virtual Result<void> flush() = 0;
};

} // namespace vmm
