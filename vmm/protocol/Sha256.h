#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace vmm {

/// SHA-256 (FIPS 180-4), incremental. Self-contained so that the static guest needs no crypto
/// library; the host checks it against OpenSSL in tests.
class Sha256 {
public:
    using Digest = std::array<uint8_t, 32>;

    Sha256();
    /// Adds `bytes` to the message.
    void update(std::span<const uint8_t> bytes);
    /// The digest of everything added; the object is then reset for a new message.
    Digest finish();
    /// finish() as 64 lowercase hex digits.
    std::string finishHex();

    /// The digest of `bytes` in lowercase hex.
    static std::string hexDigest(std::span<const uint8_t> bytes);
    /// Lowercase hex of `digest`.
    static std::string toHex(const Digest& digest);

private:
    void reset();
    void compress(const uint8_t* block);

    std::array<uint32_t, 8> m_state {};
    std::array<uint8_t, 64> m_block {};
    size_t m_blockFilled = 0;
    uint64_t m_totalBytes = 0;
};

} // namespace vmm
