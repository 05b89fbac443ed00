#include "Gdt.h"

namespace vmm::x86_64 {

std::array<uint64_t, kBootGdtEntries> bootGdt()
{
    return {
        0,
        0,
        gdtEntry(0xa09b, 0, 0xfffff), // code: present, DPL 0, execute/read, accessed, L=1, G=1
        gdtEntry(0xc093, 0, 0xfffff), // data: present, DPL 0, read/write, accessed, D/B=1, G=1
        gdtEntry(0x808b, 0, 0xfffff), // TSS: present, busy 64-bit TSS, G=1
    };
}

kvm_segment segmentFromDescriptor(uint64_t descriptor, uint16_t selector)
{
    kvm_segment segment {};
    segment.base = ((descriptor >> 16) & 0xffffff) | (((descriptor >> 56) & 0xff) << 24);
    uint32_t limit = static_cast<uint32_t>((descriptor & 0xffff) | (((descriptor >> 48) & 0xf) << 16));
    segment.g = static_cast<uint8_t>((descriptor >> 55) & 1);
    // With G set the limit counts 4 KiB pages: KVM wants the byte limit.
    segment.limit = segment.g ? (limit << 12) | 0xfff : limit;
    segment.selector = selector;
    segment.type = static_cast<uint8_t>((descriptor >> 40) & 0xf);
    segment.s = static_cast<uint8_t>((descriptor >> 44) & 1);
    segment.dpl = static_cast<uint8_t>((descriptor >> 45) & 3);
    segment.present = static_cast<uint8_t>((descriptor >> 47) & 1);
    segment.avl = static_cast<uint8_t>((descriptor >> 52) & 1);
    segment.l = static_cast<uint8_t>((descriptor >> 53) & 1);
    segment.db = static_cast<uint8_t>((descriptor >> 54) & 1);
    segment.unusable = segment.present ? 0 : 1;
    return segment;
}

} // namespace vmm::x86_64
