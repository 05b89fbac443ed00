#include "BzImage.h"

#include "sys/UniqueFd.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vmm {

static constexpr size_t kSetupHeaderOffset = 0x1f1;
static constexpr size_t kHeaderMagicOffset = 0x202;
static constexpr uint32_t kHeaderMagic = 0x53726448; // "HdrS"
static constexpr uint16_t kBootFlag = 0xaa55;
static constexpr uint16_t kMinimumProtocol = 0x020c; // 2.12: XLF_KERNEL_64 and the 64-bit entry
static constexpr uint64_t kMaximumKernelFileSize = 256ull << 20;
static constexpr uint32_t kDefaultCommandLineLimit = 255; // protocols before 2.06

static std::string protocolText(uint16_t version)
{
    char text[16];
    std::snprintf(text, sizeof text, "%u.%02u", version >> 8, version & 0xff);
    return text;
}

Result<BzImage> BzImage::load(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        if (error == ENOENT)
            return failure(Error::fromErrno("kernel", error, "'" + path + "' does not exist"));
        return failure(Error::fromErrno("kernel", error, "cannot open '" + path + "'"));
    }
    UniqueFd file(fd);
    struct stat status {};
    if (::fstat(fd, &status) < 0)
        return failure(Error::fromErrno("kernel", errno, "cannot stat '" + path + "'"));
    if (!S_ISREG(status.st_mode))
        return failure(Error::invalid("kernel", "'" + path + "' is not a regular file"));
    auto size = static_cast<uint64_t>(status.st_size);
    if (size > kMaximumKernelFileSize)
        return failure(Error::invalid("kernel",
            "'" + path + "' is " + std::to_string(size >> 20) + " MiB, too large to be a kernel image"));

    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t count = ::pread(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            return failure(Error::fromErrno("kernel", errno, "reading '" + path + "'"));
        if (count == 0)
            break;
        done += static_cast<size_t>(count);
    }
    bytes.resize(done);
    return parse(std::move(bytes), path);
}

Result<BzImage> BzImage::parse(std::vector<uint8_t> bytes, const std::string& name)
{
    const std::string quoted = "'" + name + "'";
    if (bytes.size() < kSetupHeaderOffset + sizeof(setup_header))
        return failure(Error::invalid("kernel", quoted + " is " + std::to_string(bytes.size())
                + " bytes, too small to be a Linux kernel (a bzImage has a boot header at 0x1f1)"));

    setup_header header {};
    std::memcpy(&header, bytes.data() + kSetupHeaderOffset, sizeof header);
    if (header.header != kHeaderMagic || header.boot_flag != kBootFlag)
        return failure(Error::invalid("kernel", quoted
                + " is not a Linux x86 bzImage (no \"HdrS\" boot header); give the kernel's "
                  "arch/x86/boot/bzImage"));
    if (header.version < kMinimumProtocol)
        return failure(Error::invalid("kernel", quoted + " uses boot protocol "
                + protocolText(header.version)
                + "; Airlock needs 2.12 or newer (Linux 3.8 and later) for the 64-bit entry point"));
    if (!(header.xloadflags & XLF_KERNEL_64))
        return failure(Error::invalid("kernel", quoted + " has no 64-bit entry point (is it a 32-bit kernel?)"));
    if (!(header.loadflags & LOADED_HIGH))
        return failure(Error::invalid("kernel", quoted + " does not load at 1 MiB (not a bzImage)"));

    size_t setupSectors = header.setup_sects == 0 ? 4 : header.setup_sects;
    size_t setupSize = (setupSectors + 1) * 512;
    uint64_t payloadSize = uint64_t { header.syssize } * 16;
    if (setupSize >= bytes.size() || bytes.size() - setupSize < payloadSize)
        return failure(Error::invalid("kernel", quoted + " is truncated: its header announces "
                + std::to_string(setupSize + payloadSize) + " bytes but the file has "
                + std::to_string(bytes.size())));

    // The header is as long as the jump at 0x200 says: 0x202 + byte[0x201].
    size_t headerEnd = kHeaderMagicOffset + bytes[0x201];
    headerEnd = std::min(headerEnd, kSetupHeaderOffset + sizeof(setup_header));
    return BzImage(std::move(bytes), header, setupSize, headerEnd);
}

BzImage::BzImage(std::vector<uint8_t> bytes, setup_header header, size_t setupSize, size_t headerEnd)
    : m_bytes(std::move(bytes))
    , m_header(header)
    , m_setupSize(setupSize)
    , m_headerEnd(headerEnd)
{
}

std::span<const uint8_t> BzImage::setupHeaderBytes() const
{
    return std::span<const uint8_t>(m_bytes).subspan(kSetupHeaderOffset, m_headerEnd - kSetupHeaderOffset);
}

std::span<const uint8_t> BzImage::protectedModeKernel() const
{
    return std::span<const uint8_t>(m_bytes).subspan(m_setupSize);
}

uint64_t BzImage::memoryEnd(uint64_t loadAddress) const
{
    uint64_t alignment = m_header.kernel_alignment ? m_header.kernel_alignment : 1;
    uint64_t runtimeStart = (loadAddress + alignment - 1) / alignment * alignment;
    runtimeStart = std::max<uint64_t>(runtimeStart, m_header.pref_address);
    return std::max(loadAddress + protectedModeKernel().size(), runtimeStart + m_header.init_size);
}

uint32_t BzImage::commandLineLimit() const
{
    return m_header.version >= 0x0206 ? m_header.cmdline_size : kDefaultCommandLineLimit;
}

} // namespace vmm
