#include "Sha256.h"

#include <algorithm>
#include <bit>

namespace vmm {

namespace {

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first
// 64 primes.
constexpr std::array<uint32_t, 64> kRoundConstants {0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
    0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
    0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// §5.3.3: the initial hash value.
constexpr std::array<uint32_t, 8> kInitialState {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

} // namespace

Sha256::Sha256()
{
    reset();
}

void Sha256::reset()
{
    m_state = kInitialState;
    m_blockFilled = 0;
    m_totalBytes = 0;
}

// §6.2.2: one 512-bit block.
void Sha256::compress(const uint8_t* block)
{
    std::array<uint32_t, 64> schedule {};
    for (size_t t = 0; t < 16; ++t) {
        schedule[t] = uint32_t {block[4 * t]} << 24 | uint32_t {block[4 * t + 1]} << 16 |
            uint32_t {block[4 * t + 2]} << 8 | uint32_t {block[4 * t + 3]};
    }
    for (size_t t = 16; t < 64; ++t) {
        uint32_t s0 = std::rotr(schedule[t - 15], 7) ^ std::rotr(schedule[t - 15], 18) ^
            (schedule[t - 15] >> 3);
        uint32_t s1 = std::rotr(schedule[t - 2], 17) ^ std::rotr(schedule[t - 2], 19) ^
            (schedule[t - 2] >> 10);
        schedule[t] = schedule[t - 16] + s0 + schedule[t - 7] + s1;
    }
    auto [a, b, c, d, e, f, g, h] = m_state;
    for (size_t t = 0; t < 64; ++t) {
        uint32_t sum1 = std::rotr(e, 6) ^ std::rotr(e, 11) ^ std::rotr(e, 25);
        uint32_t choose = (e & f) ^ (~e & g);
        uint32_t temp1 = h + sum1 + choose + kRoundConstants[t] + schedule[t];
        uint32_t sum0 = std::rotr(a, 2) ^ std::rotr(a, 13) ^ std::rotr(a, 22);
        uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
        uint32_t temp2 = sum0 + majority;
        h = g;
        g = f;
        f = e;
        e = d + temp1;
        d = c;
        c = b;
        b = a;
        a = temp1 + temp2;
    }
    std::array<uint32_t, 8> added {a, b, c, d, e, f, g, h};
    for (size_t i = 0; i < 8; ++i)
        m_state[i] += added[i];
}

void Sha256::update(std::span<const uint8_t> bytes)
{
    m_totalBytes += bytes.size();
    if (m_blockFilled > 0) {
        size_t take = std::min(bytes.size(), m_block.size() - m_blockFilled);
        std::copy_n(bytes.begin(), take, m_block.begin() + static_cast<ptrdiff_t>(m_blockFilled));
        m_blockFilled += take;
        bytes = bytes.subspan(take);
        if (m_blockFilled < m_block.size())
            return;
        compress(m_block.data());
        m_blockFilled = 0;
    }
    while (bytes.size() >= m_block.size()) {
        compress(bytes.data());
        bytes = bytes.subspan(m_block.size());
    }
    std::copy(bytes.begin(), bytes.end(), m_block.begin());
    m_blockFilled = bytes.size();
}

Sha256::Digest Sha256::finish()
{
    // §5.1.1: a 1 bit, zeros, then the message length in bits, big-endian, ending a block.
    uint64_t bitLength = m_totalBytes * 8;
    std::array<uint8_t, 72> padding {};
    padding[0] = 0x80;
    size_t padLength = (m_blockFilled < 56 ? 56 : 120) - m_blockFilled;
    for (size_t i = 0; i < 8; ++i)
        padding[padLength + i] = static_cast<uint8_t>(bitLength >> (56 - 8 * i));
    update(std::span(padding).first(padLength + 8));
    Digest digest {};
    for (size_t i = 0; i < 8; ++i) {
        for (size_t j = 0; j < 4; ++j)
            digest[4 * i + j] = static_cast<uint8_t>(m_state[i] >> (24 - 8 * j));
    }
    reset();
    return digest;
}

std::string Sha256::finishHex()
{
    return toHex(finish());
}

std::string Sha256::toHex(const Digest& digest)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(64);
    for (uint8_t byte : digest) {
        hex += kDigits[byte >> 4];
        hex += kDigits[byte & 0xf];
    }
    return hex;
}

std::string Sha256::hexDigest(std::span<const uint8_t> bytes)
{
    Sha256 hash;
    hash.update(bytes);
    return hash.finishHex();
}

} // namespace vmm
