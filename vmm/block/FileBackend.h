#pragma once

#include "BlockBackend.h"
#include "sys/UniqueFd.h"

#include <memory>
#include <string>

namespace vmm {

/// A disk backed by a host file. A read-only disk is opened O_RDONLY, so the host refuses writes
/// before the device does (STYLE.md §Engine safety). The capacity is the file's size when opened,
/// rounded down to a whole sector; a trailing partial sector is not exposed.
class FileBackend final : public BlockBackend {
public:
    /// Opens `path` (O_RDONLY when `readOnly`, else O_RDWR); fails for a non-regular file.
    static Result<std::unique_ptr<FileBackend>> open(const std::string& path, bool readOnly);

    uint64_t sizeBytes() const override { return m_sizeBytes; }
    bool isReadOnly() const override { return m_readOnly; }
    Result<void> read(uint64_t offset, std::span<uint8_t> destination) override;
    Result<void> write(uint64_t offset, std::span<const uint8_t> source) override;
    Result<void> flush() override;

private:
    FileBackend(UniqueFd fd, uint64_t sizeBytes, bool readOnly);
    Result<void> checkRange(uint64_t offset, uint64_t length, const char* operation) const;

    UniqueFd m_fd;
    uint64_t m_sizeBytes = 0;
    bool m_readOnly = true;
};

} // namespace vmm
