#pragma once

#include "virtio/DescriptorChain.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <sys/uio.h>

namespace vmm {

// Constants of the socket device (virtio 1.1 §5.10), in the house's kCamelCase.
namespace vsock {

/// The host's CID (§5.10.4: VMADDR_CID_HOST); the guest's comes from configuration space.
inline constexpr uint64_t kHostCid = 2;
/// §5.10.6: the only socket type offered (VIRTIO_VSOCK_TYPE_STREAM).
inline constexpr uint16_t kTypeStream = 1;

/// §5.10.6 packet operations (VIRTIO_VSOCK_OP_*).
inline constexpr uint16_t kOpRequest = 1;
inline constexpr uint16_t kOpResponse = 2;
inline constexpr uint16_t kOpRst = 3;
inline constexpr uint16_t kOpShutdown = 4;
inline constexpr uint16_t kOpRw = 5;
inline constexpr uint16_t kOpCreditUpdate = 6;
inline constexpr uint16_t kOpCreditRequest = 7;

/// §5.10.6.5 SHUTDOWN flags: the sender will receive / send no more.
inline constexpr uint32_t kShutdownReceive = 1; // VIRTIO_VSOCK_SHUTDOWN_RCV
inline constexpr uint32_t kShutdownSend = 2; // VIRTIO_VSOCK_SHUTDOWN_SEND
inline constexpr uint32_t kShutdownBoth = kShutdownReceive | kShutdownSend;

/// §5.10.6.6 event IDs (struct virtio_vsock_event).
inline constexpr uint32_t kEventTransportReset = 0; // VIRTIO_VSOCK_EVENT_TRANSPORT_RESET

/// The largest payload of one packet either way (Linux's VIRTIO_VSOCK_MAX_PKT_BUF_SIZE); a guest
/// header claiming more is malformed.
inline constexpr uint32_t kMaxPayload = 64 * 1024;

} // namespace vsock

/// struct virtio_vsock_hdr (§5.10.6), little-endian as the spec and x86 both have it.
struct [[gnu::packed]] VsockHeader {
    uint64_t srcCid = 0;
    uint64_t dstCid = 0;
    uint32_t srcPort = 0;
    uint32_t dstPort = 0;
    uint32_t len = 0;
    uint16_t type = 0;
    uint16_t op = 0;
    uint32_t flags = 0;
    uint32_t bufAlloc = 0;
    uint32_t fwdCnt = 0;

    static constexpr size_t kSize = 44;

    /// Reads the header from the start of `chain`'s readable part, copied once; nothing when the
    /// readable part is shorter than a header.
    static std::optional<VsockHeader> readFrom(const DescriptorChain& chain);
    /// Writes the header at the start of `chain`'s writable part; false when it does not fit.
    bool writeTo(const DescriptorChain& chain) const;
};
static_assert(sizeof(VsockHeader) == VsockHeader::kSize);

/// Why a packet the guest put on the TX queue must be dropped, or nothing when it may be
/// handled: a header must come with the guest's own source CID, the host as destination, a
/// STREAM type, a known op, and a payload length within kMaxPayload and within the descriptors
/// (§5.10.6.1, checked with overflow-safe math against the readable length).
std::optional<std::string_view> malformedReason(
    const VsockHeader& header, uint64_t readableLength, uint64_t guestCid);

/// iovecs for `length` bytes of `descriptors` starting `skip` bytes in (fewer when they end
/// earlier); at most one per descriptor, so bounded by the host-owned queue size.
std::vector<iovec> descriptorIovecs(
    std::span<const Descriptor> descriptors, uint64_t skip, uint64_t length);

} // namespace vmm
