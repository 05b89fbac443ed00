#include "GuestFramebuffer.h"

#include "arch/x86_64/Layout.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <linux/kvm.h>
#include <sys/mman.h>

namespace vmm {

namespace {
constexpr uint64_t kPageBytes = 4096;
constexpr uint64_t kVesaUnitBytes = 64 * 1024; // screen_info.lfb_size counts these
} // namespace

Result<std::unique_ptr<GuestFramebuffer>> GuestFramebuffer::create(
    const VmFd& vm, uint32_t slot, FramebufferGeometry geometry)
{
    // The geometry was checked when made; the product fits easily in 64 bits.
    uint64_t bytes = (geometry.pixelBytes() + kVesaUnitBytes - 1) / kVesaUnitBytes * kVesaUnitBytes;
    if (bytes == 0 || bytes > x86_64::kFramebufferMaxBytes)
        return failure(Error::invalid("display",
            geometry.toString() + " needs " + std::to_string(bytes) + " bytes of framebuffer, more than " +
                std::to_string(x86_64::kFramebufferMaxBytes)));
    auto memory = VMM_TRY(MappedRegion::map(
        static_cast<size_t>(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1));
    // Like guest RAM: the screen showed patient data.
    if (::madvise(memory.data(), memory.size(), MADV_DONTDUMP) < 0)
        return failure(Error::fromErrno("madvise(MADV_DONTDUMP)", errno, "framebuffer"));
    if (::madvise(memory.data(), memory.size(), MADV_WIPEONFORK) < 0)
        return failure(Error::fromErrno("madvise(MADV_WIPEONFORK)", errno, "framebuffer"));
    (void)::mlock2(memory.data(), memory.size(), MLOCK_ONFAULT); // best effort, as for RAM
    VMM_TRY(vm.setUserMemoryRegion(
        slot, x86_64::kFramebufferAddress, bytes, memory.data(), KVM_MEM_LOG_DIRTY_PAGES));
    return std::unique_ptr<GuestFramebuffer>(
        new GuestFramebuffer(vm, slot, geometry, std::move(memory)));
}

GuestFramebuffer::GuestFramebuffer(
    const VmFd& vm, uint32_t slot, FramebufferGeometry geometry, MappedRegion memory)
    : m_vm(vm)
    , m_slot(slot)
    , m_geometry(geometry)
    , m_memory(std::move(memory))
    , m_log((m_memory.size() / kPageBytes + 63) / 64, 0)
{
}

std::span<const uint8_t> GuestFramebuffer::pixels() const
{
    return {m_memory.data(), static_cast<size_t>(m_geometry.pixelBytes())};
}

uint64_t GuestFramebuffer::guestAddress() const
{
    return x86_64::kFramebufferAddress;
}

Result<void> GuestFramebuffer::collectDirtyPages(std::span<uint64_t> dirty)
{
    uint64_t pages = m_geometry.regionBytes() / kPageBytes;
    if (dirty.size() < (pages + 63) / 64)
        return failure(Error::invalid("framebuffer", "dirty bitmap too small"));
    std::fill(m_log.begin(), m_log.end(), 0);
    VMM_TRY(m_vm.getDirtyLog(m_slot, m_log));
    if (m_firstCollect) {
        // Whatever the guest drew before the first viewer came counts as changed.
        m_firstCollect = false;
        for (uint64_t page = 0; page < pages; ++page)
            dirty[page / 64] |= uint64_t {1} << (page % 64);
        return {};
    }
    for (uint64_t word = 0; word < (pages + 63) / 64; ++word) {
        uint64_t bits = m_log[word];
        if (word == pages / 64 && pages % 64 != 0)
            bits &= (uint64_t {1} << (pages % 64)) - 1;
        dirty[word] |= bits;
    }
    return {};
}

bool GuestFramebuffer::shred()
{
    std::memset(m_memory.data(), 0, m_memory.size());
    const uint8_t* bytes = m_memory.data();
    return std::all_of(bytes, bytes + m_memory.size(), [](uint8_t byte) { return byte == 0; });
}

} // namespace vmm
