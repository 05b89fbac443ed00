#include "VsockPacket.h"

#include <algorithm>
#include <cstring>

namespace vmm {

std::optional<VsockHeader> VsockHeader::readFrom(const DescriptorChain& chain)
{
    std::array<uint8_t, kSize> bytes {};
    if (chain.copyFromReadable(0, bytes) != kSize)
        return std::nullopt;
    VsockHeader header;
    // Safety: VsockHeader is a packed, trivially copyable struct of exactly kSize bytes; the
    // guest's bytes were copied once above, and only this copy is used from here on.
    std::memcpy(&header, bytes.data(), kSize);
    return header;
}

bool VsockHeader::writeTo(const DescriptorChain& chain) const
{
    std::array<uint8_t, kSize> bytes {};
    // Safety: as in readFrom(), the other way.
    std::memcpy(bytes.data(), this, kSize);
    return chain.copyToWritable(0, bytes) == kSize;
}

std::optional<std::string_view> malformedReason(
    const VsockHeader& header, uint64_t readableLength, uint64_t guestCid)
{
    if (header.srcCid != guestCid)
        return "source CID is not the guest's";
    if (header.dstCid != vsock::kHostCid)
        return "destination CID is not the host";
    if (header.type != vsock::kTypeStream)
        return "socket type is not STREAM";
    if (header.op < vsock::kOpRequest || header.op > vsock::kOpCreditRequest)
        return "unknown op";
    if (header.len > vsock::kMaxPayload)
        return "payload length above 64 KiB";
    // readableLength >= kSize here (the header was read from it), so this cannot wrap.
    if (header.len > readableLength - VsockHeader::kSize)
        return "payload length beyond the descriptors";
    return std::nullopt;
}

std::vector<iovec> descriptorIovecs(
    std::span<const Descriptor> descriptors, uint64_t skip, uint64_t length)
{
    std::vector<iovec> vectors;
    vectors.reserve(descriptors.size());
    for (const Descriptor& descriptor : descriptors) {
        if (length == 0)
            break;
        uint64_t size = descriptor.bytes.size();
        if (skip >= size) {
            skip -= size;
            continue;
        }
        uint64_t count = std::min(size - skip, length);
        vectors.push_back(iovec {descriptor.bytes.data() + skip, static_cast<size_t>(count)});
        length -= count;
        skip = 0;
    }
    return vectors;
}

} // namespace vmm
