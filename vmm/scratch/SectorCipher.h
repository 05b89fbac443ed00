#pragma once

#include "SecureBuffer.h"
#include "sys/Result.h"

#include <cstdint>
#include <memory>
#include <span>

// OpenSSL's context type, declared here so the header needs no OpenSSL include.
struct evp_cipher_ctx_st;

namespace vmm {

/// AES-256-XTS over 512-byte sectors with a random key held only in a SecureBuffer (IEEE 1619:
/// the tweak is the sector number as a 16-byte little-endian value, as dm-crypt's "plain64").
/// One encrypt and one decrypt context are set up once and re-keyed only with the tweak per
/// sector. Move-only; destroy() frees the contexts (OpenSSL cleanses their key schedules) and
/// wipes the key.
class SectorCipher {
public:
    static constexpr size_t kSectorSize = 512;
    static constexpr size_t kKeySize = 64; // two AES-256 keys: data key and tweak key

    /// Generates a fresh key (RAND_priv_bytes; the two halves differ) and the two contexts.
    static Result<SectorCipher> create();

    SectorCipher(SectorCipher&&) noexcept;
    SectorCipher& operator=(SectorCipher&&) noexcept;
    SectorCipher(const SectorCipher&) = delete;
    SectorCipher& operator=(const SectorCipher&) = delete;
    ~SectorCipher();

    /// Encrypts whole sectors from `plaintext` into `ciphertext` (same size, a multiple of 512),
    /// the first being sector `firstSector`.
    Result<void> encrypt(
        uint64_t firstSector, std::span<const uint8_t> plaintext, std::span<uint8_t> ciphertext);
    /// Decrypts one 512-byte sector.
    Result<void> decryptSector(
        uint64_t sector, std::span<const uint8_t> ciphertext, std::span<uint8_t> plaintext);

    /// Frees the contexts and wipes the key; encrypt/decrypt fail afterwards.
    void destroy();
    /// Whether the key's memory is all zeroes (true after destroy()).
    bool isKeyWiped() const { return m_key.isAllZero(); }
    /// Whether the key's pages are locked against swapping.
    bool isKeyLocked() const { return m_key.isLocked(); }

private:
    struct ContextDeleter {
        void operator()(evp_cipher_ctx_st* context) const;
    };
    using Context = std::unique_ptr<evp_cipher_ctx_st, ContextDeleter>;

    SectorCipher(SecureBuffer key, Context encrypt, Context decrypt);
    static Result<void> run(evp_cipher_ctx_st* context, uint64_t sector,
        std::span<const uint8_t> input, std::span<uint8_t> output);

    SecureBuffer m_key;
    Context m_encrypt;
    Context m_decrypt;
};

} // namespace vmm
