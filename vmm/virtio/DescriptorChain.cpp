#include "DescriptorChain.h"

#include <algorithm>
#include <cstring>

namespace vmm {

namespace {

// Walks `descriptors` from byte `offset` of their concatenation, calling copy(bytes, done) for
// each piece until `length` bytes are done or the descriptors end. Returns the bytes done.
template<typename Copy>
size_t forEachPiece(
    std::span<const Descriptor> descriptors, uint64_t offset, size_t length, Copy copy)
{
    size_t done = 0;
    for (const Descriptor& descriptor : descriptors) {
        if (done == length)
            break;
        if (offset >= descriptor.bytes.size()) {
            offset -= descriptor.bytes.size();
            continue;
        }
        std::span<uint8_t> piece = descriptor.bytes.subspan(static_cast<size_t>(offset));
        size_t count = std::min(piece.size(), length - done);
        copy(piece.first(count), done);
        done += count;
        offset = 0;
    }
    return done;
}

} // namespace

DescriptorChain::DescriptorChain(uint16_t head, std::vector<Descriptor> descriptors)
    : m_head(head)
    , m_descriptors(std::move(descriptors))
{
    for (const Descriptor& descriptor : m_descriptors) {
        if (descriptor.writable) {
            m_writableLength += descriptor.bytes.size();
        } else {
            ++m_readableCount;
            m_readableLength += descriptor.bytes.size();
        }
    }
}

size_t DescriptorChain::copyFromReadable(uint64_t offset, std::span<uint8_t> destination) const
{
    return forEachPiece(
        readable(), offset, destination.size(), [&](std::span<uint8_t> piece, size_t done) {
            std::memcpy(destination.data() + done, piece.data(), piece.size());
        });
}

size_t DescriptorChain::copyToWritable(uint64_t offset, std::span<const uint8_t> source) const
{
    return forEachPiece(
        writable(), offset, source.size(), [&](std::span<uint8_t> piece, size_t done) {
            std::memcpy(piece.data(), source.data() + done, piece.size());
        });
}

} // namespace vmm
