#pragma once

#include "BzImage.h"
#include "arch/x86_64/MemoryLayout.h"
#include "display/FramebufferGeometry.h"
#include "memory/GuestMemory.h"
#include "sys/Result.h"

#include <asm/bootparam.h>

#include <optional>
#include <string>
#include <vector>

namespace vmm {

/// Where the loader put things, for the boot vCPU and for logs.
struct LoadedKernel {
    uint64_t entry = 0;
    GuestAddress initrdAddress;
    uint64_t initrdSize = 0;
};

/// The zero page for `kernel`: its setup header, Airlock as the loader, the command line and
/// initrd locations, and the E820 map (boot.rst "64-bit Boot Protocol").
Result<boot_params> buildBootParams(const BzImage& kernel, GuestAddress commandLine,
    uint32_t commandLineSize, GuestAddress initrd, uint64_t initrdSize,
    const std::vector<x86_64::E820Entry>& e820);

/// A linear framebuffer for the guest kernel's vesafb: where it is and its shape.
struct LinearFramebuffer {
    uint64_t address = 0;
    FramebufferGeometry geometry;
};

/// Describes `framebuffer` in `params.screen_info` as a VESA linear framebuffer
/// (VIDEO_TYPE_VLFB, XRGB8888), so the guest's vesafb drives it as /dev/fb0 and fbcon uses it.
/// Fails when the address does not fit the 32-bit lfb_base.
Result<void> describeFramebuffer(boot_params& params, const LinearFramebuffer& framebuffer);

/// Where an initrd of `size` bytes goes: as high as possible below both the end of the RAM
/// region at 0 and the kernel's initrd_addr_max, page-aligned, above the kernel's memory.
Result<GuestAddress> initrdAddress(const BzImage& kernel, const std::vector<GuestRegion>& ram,
    uint64_t size);

/// Loads the kernel at 1 MiB, the initrd file (if any) read straight into guest RAM, the
/// command line and the zero page (with `framebuffer` in screen_info, if any). Returns the
/// 64-bit entry point.
Result<LoadedKernel> loadLinux(const GuestMemory& memory, const BzImage& kernel,
    const std::optional<std::string>& initrdPath, const std::string& commandLine,
    const std::optional<LinearFramebuffer>& framebuffer = std::nullopt);

} // namespace vmm
