#pragma once

#include <cstdint>
#include <span>

namespace vmm {

/// CRC-32C (Castagnoli, reflected) of `bytes` continuing from `crc`, without the final inversion:
/// the form Linux's crc32c() and EROFS's superblock checksum use.
uint32_t crc32c(uint32_t crc, std::span<const uint8_t> bytes);

} // namespace vmm
