#pragma once

// A BlockBackend in host memory for device tests and fuzzers: it records every call, so a test
// can show that a refused request never reached the backend.

#include "block/BlockBackend.h"

#include <cerrno>
#include <cstring>
#include <vector>

class MemoryBlockBackend final : public vmm::BlockBackend {
public:
    explicit MemoryBlockBackend(uint64_t sizeBytes, bool readOnly = false)
        : bytes(static_cast<size_t>(sizeBytes), 0)
        , m_readOnly(readOnly)
    {
    }

    uint64_t sizeBytes() const override { return bytes.size(); }
    bool isReadOnly() const override { return m_readOnly; }
    vmm::Result<void> read(uint64_t offset, std::span<uint8_t> destination) override
    {
        ++reads;
        if (!inside(offset, destination.size()))
            return vmm::failure(vmm::Error::invalid("memory disk", "read outside"));
        std::memcpy(destination.data(), bytes.data() + offset, destination.size());
        return {};
    }
    vmm::Result<void> write(uint64_t offset, std::span<const uint8_t> source) override
    {
        ++writes;
        if (m_readOnly)
            return vmm::failure(vmm::Error::fromErrno("memory disk", EROFS));
        if (!inside(offset, source.size()))
            return vmm::failure(vmm::Error::invalid("memory disk", "write outside"));
        std::memcpy(bytes.data() + offset, source.data(), source.size());
        return {};
    }
    vmm::Result<void> flush() override
    {
        ++flushes;
        return {};
    }

    std::vector<uint8_t> bytes;
    int reads = 0;
    int writes = 0;
    int flushes = 0;
    /// Calls whose range or alignment broke the BlockBackend contract (a device bug).
    int contractViolations = 0;

private:
    bool inside(uint64_t offset, uint64_t length)
    {
        bool ok = offset % kSectorSize == 0 && length % kSectorSize == 0 &&
            offset <= bytes.size() && length <= bytes.size() - offset;
        if (!ok)
            ++contractViolations;
        return ok;
    }
    bool m_readOnly;
};
