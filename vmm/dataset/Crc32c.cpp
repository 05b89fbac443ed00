#include "Crc32c.h"

#include <array>

namespace vmm {

namespace {

constexpr uint32_t kPolynomialReflected = 0x82f63b78;

constexpr std::array<uint32_t, 256> makeTable()
{
    std::array<uint32_t, 256> table {};
    for (uint32_t index = 0; index < 256; ++index) {
        uint32_t value = index;
        for (int bit = 0; bit < 8; ++bit)
            value = (value >> 1) ^ ((value & 1) ? kPolynomialReflected : 0);
        table[index] = value;
    }
    return table;
}

constexpr std::array<uint32_t, 256> kTable = makeTable();

} // namespace

uint32_t crc32c(uint32_t crc, std::span<const uint8_t> bytes)
{
    for (uint8_t byte : bytes)
        crc = (crc >> 8) ^ kTable[(crc ^ byte) & 0xff];
    return crc;
}

} // namespace vmm
