#pragma once

#include "display/FrameSource.h"
#include "display/FramebufferGeometry.h"
#include "kvm/VmFd.h"
#include "sys/MappedRegion.h"
#include "sys/Result.h"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace vmm {

/// The guest's linear framebuffer: host memory mapped into the guest as a KVM memory slot of its
/// own at kFramebufferAddress, with dirty-page logging, announced to the guest kernel in
/// boot_params.screen_info (its vesafb drives it as /dev/fb0). The display server reads it
/// through FrameSource, with the pages KVM saw written. It held what the session showed: shred()
/// zeroes it and checks, like guest RAM.
class GuestFramebuffer final : public FrameSource {
public:
    /// Memory of `geometry` rounded up to 64 KiB (vesafb's unit), registered with `vm` as
    /// memory slot `slot` at kFramebufferAddress. Never dumped, never inherited, locked when
    /// the limit allows.
    static Result<std::unique_ptr<GuestFramebuffer>> create(
        const VmFd& vm, uint32_t slot, FramebufferGeometry geometry);

    const FramebufferGeometry& geometry() const override { return m_geometry; }
    std::span<const uint8_t> pixels() const override;
    Result<void> collectDirtyPages(std::span<uint64_t> dirty) override;

    /// The guest-physical address and the size of the slot (a multiple of 64 KiB).
    uint64_t guestAddress() const;
    uint64_t slotBytes() const { return m_memory.size(); }

    /// Zeroes every byte and reads them back; false if any byte is not zero afterwards.
    bool shred();

private:
    GuestFramebuffer(const VmFd& vm, uint32_t slot, FramebufferGeometry geometry, MappedRegion memory);

    const VmFd& m_vm;
    uint32_t m_slot;
    FramebufferGeometry m_geometry;
    MappedRegion m_memory;
    std::vector<uint64_t> m_log; ///< KVM's bitmap for the whole slot
    bool m_firstCollect = true;
};

} // namespace vmm
