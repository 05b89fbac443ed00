#include "BlockDevice.h"

#include "virtio/VirtioSpec.h"

#include <algorithm>
#include <cstring>

namespace vmm {

namespace {

using namespace virtio;

// virtio 1.1 §5.2.3 feature bits.
constexpr unsigned kBlkFSizeMax = 1; // VIRTIO_BLK_F_SIZE_MAX
constexpr unsigned kBlkFSegMax = 2; // VIRTIO_BLK_F_SEG_MAX
constexpr unsigned kBlkFRo = 5; // VIRTIO_BLK_F_RO
constexpr unsigned kBlkFFlush = 9; // VIRTIO_BLK_F_FLUSH

// §5.2.6 request types and status values.
constexpr uint32_t kBlkTIn = 0;
constexpr uint32_t kBlkTOut = 1;
constexpr uint32_t kBlkTFlush = 4;
constexpr uint32_t kBlkTGetId = 8;
constexpr uint8_t kBlkSOk = 0;
constexpr uint8_t kBlkSIoErr = 1;
constexpr uint8_t kBlkSUnsupp = 2;

constexpr uint64_t kSector = BlockBackend::kSectorSize;

// §5.2.6: the device-readable header of every request.
struct RequestHeader {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};
static_assert(sizeof(RequestHeader) == 16);

// §5.2.4 struct virtio_blk_config, up to the fields offered (capacity, size_max, seg_max).
struct [[gnu::packed]] BlockConfig {
    uint64_t capacity; // in 512-byte sectors
    uint32_t sizeMax;
    uint32_t segMax;
};
static_assert(sizeof(BlockConfig) == 16);

// A position inside a run of descriptors, for moving request data sector by sector.
class Cursor {
public:
    Cursor(std::span<const Descriptor> descriptors, uint64_t skip)
        : m_descriptors(descriptors)
    {
        advance(skip);
    }
    /// The bytes from here to the end of the current descriptor.
    std::span<uint8_t> current() const
    {
        return m_index < m_descriptors.size() ? m_descriptors[m_index].bytes.subspan(m_offset)
                                              : std::span<uint8_t>();
    }
    void advance(uint64_t count)
    {
        while (count > 0 && m_index < m_descriptors.size()) {
            uint64_t step = std::min<uint64_t>(count, current().size());
            m_offset += static_cast<size_t>(step);
            count -= step;
            if (m_offset == m_descriptors[m_index].bytes.size()) {
                ++m_index;
                m_offset = 0;
            }
        }
        skipEmpty();
    }
    /// Copies between `bytes` and the descriptors from here on, advancing; true when all fit.
    bool exchange(std::span<uint8_t> bytes, bool intoDescriptors)
    {
        size_t done = 0;
        while (done < bytes.size()) {
            std::span<uint8_t> piece = current();
            if (piece.empty())
                return false;
            size_t count = std::min(piece.size(), bytes.size() - done);
            if (intoDescriptors)
                std::memcpy(piece.data(), bytes.data() + done, count);
            else
                std::memcpy(bytes.data() + done, piece.data(), count);
            done += count;
            advance(count);
        }
        return true;
    }

private:
    void skipEmpty()
    {
        while (m_index < m_descriptors.size() && m_offset == m_descriptors[m_index].bytes.size()) {
            ++m_index;
            m_offset = 0;
        }
    }
    std::span<const Descriptor> m_descriptors;
    size_t m_index = 0;
    size_t m_offset = 0;
};

// Moves `length` bytes (a multiple of 512 that the descriptors hold from `skip` on) between the
// descriptors and the disk at `diskOffset`. Whole sectors go straight to or from guest memory; a
// sector split across buffers goes through 512 bytes on the stack, never more.
Result<void> transfer(BlockBackend& backend, std::span<const Descriptor> descriptors, uint64_t skip,
    uint64_t length, uint64_t diskOffset, bool toGuest)
{
    Cursor cursor(descriptors, skip);
    uint64_t done = 0;
    while (done < length) {
        std::span<uint8_t> piece = cursor.current();
        uint64_t whole = std::min<uint64_t>(piece.size(), length - done) / kSector * kSector;
        if (whole > 0) {
            std::span<uint8_t> bytes = piece.first(static_cast<size_t>(whole));
            if (toGuest)
                VMM_TRY(backend.read(diskOffset + done, bytes));
            else
                VMM_TRY(backend.write(diskOffset + done, bytes));
            cursor.advance(whole);
            done += whole;
            continue;
        }
        std::array<uint8_t, kSector> sector {};
        if (toGuest) {
            VMM_TRY(backend.read(diskOffset + done, sector));
            if (!cursor.exchange(sector, true))
                return failure(Error::invalid("virtio-blk", "request data ends early"));
        } else {
            if (!cursor.exchange(sector, false))
                return failure(Error::invalid("virtio-blk", "request data ends early"));
            VMM_TRY(backend.write(diskOffset + done, sector));
        }
        done += kSector;
    }
    return {};
}

// Reads `length` bytes into the descriptors: in one backend call (one preadv for a request's
// scattered pages) when every buffer holds whole sectors, as Linux's always do; otherwise
// through transfer()'s sector-by-sector path.
Result<void> readIntoGuest(BlockBackend& backend, std::span<const Descriptor> descriptors,
    uint64_t length, uint64_t diskOffset)
{
    std::vector<std::span<uint8_t>> pieces;
    pieces.reserve(descriptors.size());
    uint64_t gathered = 0;
    for (const Descriptor& descriptor : descriptors) {
        if (gathered == length)
            break;
        uint64_t size = std::min<uint64_t>(descriptor.bytes.size(), length - gathered);
        if (size % kSector)
            return transfer(backend, descriptors, 0, length, diskOffset, true);
        if (size > 0)
            pieces.push_back(descriptor.bytes.first(static_cast<size_t>(size)));
        gathered += size;
    }
    if (gathered != length)
        return failure(Error::invalid("virtio-blk", "request data ends early"));
    return backend.readVectored(diskOffset, pieces);
}

} // namespace

BlockDevice::BlockDevice(std::shared_ptr<BlockBackend> backend, std::string serial)
    : m_backend(std::move(backend))
    , m_capacityBytes(m_backend ? m_backend->sizeBytes() / kSector * kSector : 0)
    , m_readOnly(m_backend ? m_backend->isReadOnly() : true)
{
    std::copy_n(serial.begin(), std::min(serial.size(), kSerialBytes), m_serial.begin());
}

Result<void> BlockDevice::fill(std::shared_ptr<BlockBackend> backend, std::string serial)
{
    if (m_backend)
        return failure(Error::invalid("virtio-blk", "the disk is in use already"));
    if (!backend || !backend->isReadOnly())
        return failure(Error::invalid("virtio-blk", "a spare disk takes only a read-only backend"));
    // The features were negotiated at boot and stay: VIRTIO_BLK_F_RO was offered (no backend is
    // read-only), so the driver still refuses writes, and the device's own check stays too.
    m_capacityBytes = backend->sizeBytes() / kSector * kSector;
    m_backend = std::move(backend);
    m_serial.fill(0);
    std::copy_n(serial.begin(), std::min(serial.size(), kSerialBytes), m_serial.begin());
    return {};
}

uint32_t BlockDevice::deviceType() const
{
    return kDeviceIdBlock;
}

uint64_t BlockDevice::features() const
{
    uint64_t features = featureBit(kFeatureVersion1) | featureBit(kBlkFSizeMax) |
        featureBit(kBlkFSegMax) | featureBit(kBlkFFlush);
    if (m_readOnly)
        features |= featureBit(kBlkFRo);
    return features;
}

void BlockDevice::readConfig(uint64_t offset, std::span<uint8_t> data)
{
    BlockConfig config {m_capacityBytes / kSector, kMaxSegmentBytes, kMaxSegments};
    std::array<uint8_t, sizeof config> bytes {};
    std::memcpy(bytes.data(), &config, sizeof config);
    if (offset >= bytes.size())
        return;
    size_t count = std::min(data.size(), bytes.size() - static_cast<size_t>(offset));
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(offset), count, data.begin());
}

Result<void> BlockDevice::activate(const VirtioActivation& activation)
{
    if (activation.queues.size() != 1)
        return failure(Error::invalid("virtio-blk", "needs exactly one queue"));
    m_queue = &activation.queues[0];
    return {};
}

void BlockDevice::reset()
{
    m_queue = nullptr;
}

VirtioDevice::Progress BlockDevice::processQueue(size_t index)
{
    if (!m_queue || index != 0)
        return Progress::Idle;
    // While the device drains the queue the driver need not notify (each notification is a VM
    // exit); notifications resume once the queue is empty, with a last look for what raced in.
    uint64_t bytes = 0;
    int count = 0;
    auto budgetLeft = [&] {
        return count < kRequestsPerNotification && bytes < kBytesPerNotification;
    };
    while (true) {
        m_queue->suppressNotifications();
        while (budgetLeft()) {
            std::optional<DescriptorChain> chain = m_queue->pop();
            if (!chain)
                break;
            bytes += handle(*chain);
            ++count;
        }
        if (!budgetLeft() && m_queue->hasPending())
            return Progress::MorePending; // the transport brings us back; still suppressed
        if (!m_queue->resumeNotifications())
            return Progress::Idle;
        if (!budgetLeft())
            return Progress::MorePending;
    }
}

uint64_t BlockDevice::handle(const DescriptorChain& chain)
{
    uint64_t dataWritten = 0; // bytes put into the guest's writable buffers before the status
    uint64_t dataMoved = 0;
    if (chain.writableLength() == 0) {
        // No byte for a status: nothing can be reported, but the head is still completed.
        m_log.report("request without a status byte");
        m_errors.fetch_add(1, std::memory_order_relaxed);
        (void)m_queue->addUsed(chain.head(), 0);
        return 0;
    }
    RequestHeader header {};
    // Safety: RequestHeader is trivially copyable; the header is copied once, then only the copy
    // is used (the guest may change its buffer meanwhile).
    std::span<uint8_t> headerBytes(reinterpret_cast<uint8_t*>(&header), sizeof header);
    uint8_t status = kBlkSIoErr;
    if (chain.copyFromReadable(0, headerBytes) == sizeof header)
        status = execute(chain, header.type, header.sector, dataWritten, dataMoved);
    else
        m_log.report("request header shorter than 16 bytes");
    if (status != kBlkSOk)
        m_errors.fetch_add(1, std::memory_order_relaxed);
    chain.copyToWritable(chain.writableLength() - 1, std::span(&status, 1));
    (void)m_queue->addUsed(chain.head(), static_cast<uint32_t>(dataWritten + 1));
    return dataMoved;
}

bool BlockDevice::inside(uint64_t sector, uint64_t length) const
{
    uint64_t offset = 0;
    uint64_t end = 0;
    return !__builtin_mul_overflow(sector, kSector, &offset) &&
        !__builtin_add_overflow(offset, length, &end) && end <= m_capacityBytes;
}

uint8_t BlockDevice::execute(const DescriptorChain& chain, uint32_t type, uint64_t sector,
    uint64_t& dataWritten, uint64_t& dataMoved)
{
    // §5.2.6: data follows the header (OUT) or precedes the status byte (IN, GET_ID).
    uint64_t inLength = chain.writableLength() - 1;
    switch (type) {
    case kBlkTIn:
    case kBlkTOut: {
        bool isRead = type == kBlkTIn;
        uint64_t length = isRead ? inLength : chain.readableLength() - sizeof(RequestHeader);
        if (length % kSector || length > kMaxRequestBytes || !inside(sector, length)) {
            m_log.report("request outside the disk, too large, or not whole sectors");
            return kBlkSIoErr;
        }
        if (!isRead && m_readOnly)
            return kBlkSIoErr; // the device's check; the host fd is O_RDONLY as well
        if (!m_backend)
            return kBlkSIoErr; // an empty spare (capacity 0) has nothing to read, not even 0 bytes
        auto moved = isRead ? readIntoGuest(*m_backend, chain.writable(), length, sector * kSector)
                            : transfer(*m_backend, chain.readable(), sizeof(RequestHeader), length,
                                  sector * kSector, false);
        if (!moved) {
            m_log.report(moved.error().message());
            return kBlkSIoErr;
        }
        dataMoved = length;
        if (isRead) {
            dataWritten = length;
            m_bytesRead.fetch_add(length, std::memory_order_relaxed);
            m_readOperations.fetch_add(1, std::memory_order_relaxed);
        } else {
            m_bytesWritten.fetch_add(length, std::memory_order_relaxed);
            m_writeOperations.fetch_add(1, std::memory_order_relaxed);
        }
        return kBlkSOk;
    }
    case kBlkTFlush: {
        // The sector field is ignored (§5.2.6.2 has the driver set it to 0); no data moves.
        if (!m_backend)
            return kBlkSOk; // an empty spare holds nothing to flush
        auto flushed = m_backend->flush();
        if (!flushed) {
            m_log.report(flushed.error().message());
            return kBlkSIoErr;
        }
        m_flushes.fetch_add(1, std::memory_order_relaxed);
        return kBlkSOk;
    }
    case kBlkTGetId: {
        // The 20-byte serial, cut to the buffer; no sector is involved.
        size_t count = static_cast<size_t>(std::min<uint64_t>(inLength, kSerialBytes));
        dataWritten = chain.copyToWritable(0, std::span<const uint8_t>(m_serial).first(count));
        return kBlkSOk;
    }
    default:
        return kBlkSUnsupp; // DISCARD, WRITE_ZEROES (not offered) and unknown types
    }
}

BlockDeviceStats BlockDevice::stats() const
{
    BlockDeviceStats stats;
    stats.bytesRead = m_bytesRead.load(std::memory_order_relaxed);
    stats.readOperations = m_readOperations.load(std::memory_order_relaxed);
    stats.bytesWritten = m_bytesWritten.load(std::memory_order_relaxed);
    stats.writeOperations = m_writeOperations.load(std::memory_order_relaxed);
    stats.flushes = m_flushes.load(std::memory_order_relaxed);
    stats.errors = m_errors.load(std::memory_order_relaxed);
    return stats;
}

} // namespace vmm
