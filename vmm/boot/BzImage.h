#pragma once

#include "sys/Result.h"

#include <asm/bootparam.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vmm {

/// A Linux x86 bzImage, validated against the boot protocol (Documentation/arch/x86/boot.rst):
/// "HdrS" header, protocol 2.12 or newer, a 64-bit entry point, loaded high.
class BzImage {
public:
    /// Reads and validates the kernel file at `path`.
    static Result<BzImage> load(const std::string& path);
    /// Validates `bytes` as a bzImage; `name` names it in errors.
    static Result<BzImage> parse(std::vector<uint8_t> bytes, const std::string& name);

    /// The setup header as the file has it.
    const setup_header& header() const { return m_header; }
    /// Boot protocol version, e.g. 0x020f for 2.15.
    uint16_t protocolVersion() const { return m_header.version; }
    /// The bytes of the setup header from offset 0x1f1, to be copied into the zero page.
    std::span<const uint8_t> setupHeaderBytes() const;
    /// The protected-mode kernel, loaded at 1 MiB.
    std::span<const uint8_t> protectedModeKernel() const;
    /// Where the kernel's memory ends when it is loaded at `loadAddress`: it unpacks itself at
    /// its runtime address (the load address aligned to kernel_alignment, at least pref_address)
    /// and needs init_size bytes from there before it can look at the memory map (boot.rst,
    /// "init_size"), besides the loaded image itself.
    uint64_t memoryEnd(uint64_t loadAddress) const;
    /// Longest command line the kernel accepts, without the terminating NUL.
    uint32_t commandLineLimit() const;
    /// Highest address the initrd may occupy (header initrd_addr_max).
    uint32_t initrdAddressMax() const { return m_header.initrd_addr_max; }

private:
    BzImage(std::vector<uint8_t> bytes, setup_header header, size_t setupSize, size_t headerEnd);

    std::vector<uint8_t> m_bytes;
    setup_header m_header {};
    size_t m_setupSize = 0;
    size_t m_headerEnd = 0;
};

} // namespace vmm
