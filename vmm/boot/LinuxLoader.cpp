#include "LinuxLoader.h"

#include <linux/screen_info.h>

#include "arch/x86_64/Layout.h"
#include "sys/UniqueFd.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vmm {

static constexpr uint8_t kLoaderTypeUndefined = 0xff; // boot.rst: "0xFF = undefined/other"
static constexpr uint64_t kPageSize = 4096;
static constexpr size_t kSetupHeaderOffset = 0x1f1;

Result<boot_params> buildBootParams(const BzImage& kernel, GuestAddress commandLine,
    [[maybe_unused]] uint32_t commandLineSize, GuestAddress initrd, uint64_t initrdSize,
    const std::vector<x86_64::E820Entry>& e820)
{
    if (e820.size() > E820_MAX_ENTRIES_ZEROPAGE)
        return failure(Error::invalid("boot parameters", "too many E820 entries for the zero page"));
    if (commandLine.value() > UINT32_MAX || initrd.value() > UINT32_MAX || initrdSize > UINT32_MAX)
        return failure(Error::invalid("boot parameters", "command line or initrd above 4 GiB"));

    boot_params params {};
    std::span<const uint8_t> header = kernel.setupHeaderBytes();
    // Safety: boot_params is a packed plain struct of 4096 bytes; the header bytes are at most
    // sizeof(setup_header) long (BzImage clamps them) and start at the header's own offset.
    std::memcpy(reinterpret_cast<uint8_t*>(&params) + kSetupHeaderOffset, header.data(), header.size());

    params.hdr.type_of_loader = kLoaderTypeUndefined;
    params.hdr.cmd_line_ptr = static_cast<uint32_t>(commandLine.value());
    params.ext_cmd_line_ptr = 0;
    params.hdr.ramdisk_image = static_cast<uint32_t>(initrd.value());
    params.hdr.ramdisk_size = static_cast<uint32_t>(initrdSize);
    params.ext_ramdisk_image = 0;
    params.ext_ramdisk_size = 0;

    params.e820_entries = static_cast<uint8_t>(e820.size());
    for (size_t i = 0; i < e820.size(); ++i) {
        params.e820_table[i].addr = e820[i].address;
        params.e820_table[i].size = e820[i].size;
        params.e820_table[i].type = e820[i].type;
    }
    return params;
}

Result<GuestAddress> initrdAddress(const BzImage& kernel, const std::vector<GuestRegion>& ram,
    uint64_t size)
{
    if (ram.empty() || ram.front().start.value() != 0)
        return failure(Error::invalid("initrd", "no RAM at address 0"));
    uint64_t top = std::min<uint64_t>(ram.front().size, uint64_t { kernel.initrdAddressMax() } + 1);
    uint64_t kernelEnd = kernel.memoryEnd(x86_64::kKernelLoadAddress.value());
    if (size > top || ((top - size) & ~(kPageSize - 1)) < kernelEnd)
        return failure(Error::invalid("initrd", "the initramfs (" + std::to_string(size >> 20)
                + " MiB) does not fit in guest memory next to the kernel; give the VM more memory"));
    return GuestAddress((top - size) & ~(kPageSize - 1));
}

static Result<void> readFileInto(int fd, std::span<uint8_t> destination, const std::string& path)
{
    size_t done = 0;
    while (done < destination.size()) {
        ssize_t count = ::pread(fd, destination.data() + done, destination.size() - done,
            static_cast<off_t>(done));
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            return failure(Error::fromErrno("initrd", errno, "reading '" + path + "'"));
        if (count == 0)
            return failure(Error::invalid("initrd", "'" + path + "' shrank while it was being read"));
        done += static_cast<size_t>(count);
    }
    return {};
}

Result<void> describeFramebuffer(boot_params& params, const LinearFramebuffer& framebuffer)
{
    const FramebufferGeometry& geometry = framebuffer.geometry;
    // vesafb (drivers/video/fbdev/vesafb.c) counts the memory in 64 KiB units and maps
    // lfb_base..+lfb_size*64K: the framebuffer's slot is that size (GuestFramebuffer).
    uint64_t units = (geometry.pixelBytes() + 0xffff) / 0x10000;
    if (framebuffer.address > UINT32_MAX - units * 0x10000 || framebuffer.address % 0x10000 != 0)
        return failure(Error::invalid("display", "the framebuffer must sit below 4 GiB, 64 KiB aligned"));
    screen_info& screen = params.screen_info;
    screen = {};
    screen.orig_video_isVGA = VIDEO_TYPE_VLFB;
    screen.lfb_width = static_cast<uint16_t>(geometry.width); // at most 7680
    screen.lfb_height = static_cast<uint16_t>(geometry.height); // at most 4320
    screen.lfb_depth = 32;
    screen.lfb_linelength = static_cast<uint16_t>(geometry.stride); // at most 30720
    screen.lfb_base = static_cast<uint32_t>(framebuffer.address);
    screen.lfb_size = static_cast<uint32_t>(units);
    screen.red_size = 8;
    screen.red_pos = 16;
    screen.green_size = 8;
    screen.green_pos = 8;
    screen.blue_size = 8;
    screen.blue_pos = 0;
    screen.rsvd_size = 8;
    screen.rsvd_pos = 24;
    // Text-mode numbers some code reads before fbcon takes over: 80x25.
    screen.orig_video_cols = 80;
    screen.orig_video_lines = 25;
    screen.orig_video_points = 16;
    return {};
}

Result<LoadedKernel> loadLinux(const GuestMemory& memory, const BzImage& kernel,
    const std::optional<std::string>& initrdPath, const std::string& commandLine,
    const std::optional<LinearFramebuffer>& framebuffer)
{
    using namespace x86_64;
    const std::vector<GuestRegion>& ram = memory.regions();

    // The kernel and the memory it unpacks into must be RAM below the MMIO hole.
    uint64_t kernelEnd = kernel.memoryEnd(kKernelLoadAddress.value());
    if (ram.front().size < kernelEnd)
        return failure(Error::invalid("kernel", "needs " + std::to_string(kernelEnd >> 20)
                + " MiB of low memory to unpack; give the VM more memory"));
    VMM_TRY(memory.write(kKernelLoadAddress, kernel.protectedModeKernel()));

    LoadedKernel loaded;
    loaded.entry = kKernelLoadAddress.value() + kBzImage64BitEntryOffset;
    if (initrdPath) {
        int fd = ::open(initrdPath->c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return failure(Error::fromErrno("initrd", errno, "cannot open '" + *initrdPath + "'"));
        UniqueFd file(fd);
        struct stat status {};
        if (::fstat(fd, &status) < 0 || !S_ISREG(status.st_mode))
            return failure(Error::invalid("initrd", "'" + *initrdPath + "' is not a regular file"));
        auto size = static_cast<uint64_t>(status.st_size);
        loaded.initrdAddress = VMM_TRY(initrdAddress(kernel, ram, size));
        loaded.initrdSize = size;
        auto destination = VMM_TRY(memory.slice(loaded.initrdAddress, size));
        VMM_TRY(readFileInto(fd, destination, *initrdPath));
    }

    if (commandLine.size() + 1 > kCommandLineCapacity)
        return failure(Error::invalid("kernel command line", "too long"));
    std::vector<uint8_t> line(commandLine.begin(), commandLine.end());
    line.push_back(0);
    VMM_TRY(memory.write(kCommandLineAddress, line));

    boot_params params = VMM_TRY(buildBootParams(kernel, kCommandLineAddress,
        static_cast<uint32_t>(commandLine.size()), loaded.initrdAddress, loaded.initrdSize,
        e820Map(ram)));
    if (framebuffer)
        VMM_TRY(describeFramebuffer(params, *framebuffer));
    VMM_TRY(memory.writeObject(kBootParamsAddress, params));
    return loaded;
}

} // namespace vmm
