#include "SectorCipher.h"

#include <array>
#include <cstring>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace vmm {

namespace {

// The XTS tweak of a sector: its number as a 16-byte little-endian value.
std::array<uint8_t, 16> tweakOf(uint64_t sector)
{
    std::array<uint8_t, 16> tweak {};
    for (size_t i = 0; i < 8; ++i)
        tweak[i] = static_cast<uint8_t>(sector >> (8 * i));
    return tweak;
}

} // namespace

void SectorCipher::ContextDeleter::operator()(evp_cipher_ctx_st* context) const
{
    // EVP_CIPHER_CTX_free cleanses the expanded key schedule before releasing it.
    EVP_CIPHER_CTX_free(context);
}

SectorCipher::SectorCipher(SecureBuffer key, Context encrypt, Context decrypt)
    : m_key(std::move(key))
    , m_encrypt(std::move(encrypt))
    , m_decrypt(std::move(decrypt))
{
}

SectorCipher::SectorCipher(SectorCipher&&) noexcept = default;
SectorCipher& SectorCipher::operator=(SectorCipher&&) noexcept = default;
SectorCipher::~SectorCipher() = default;

Result<SectorCipher> SectorCipher::create()
{
    SecureBuffer key = VMM_TRY(SecureBuffer::create(kKeySize));
    std::span<uint8_t> bytes = key.bytes();
    // XTS needs two independent keys; identical halves would weaken it (and OpenSSL refuses them
    // in FIPS mode). A collision is astronomically unlikely, but the check costs nothing.
    for (int attempt = 0;; ++attempt) {
        if (attempt == 4)
            return failure(
                Error::invalid("RAND_priv_bytes", "the random generator repeats itself"));
        if (RAND_priv_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
            return failure(Error::invalid("RAND_priv_bytes", "no random key for the scratch disk"));
        if (CRYPTO_memcmp(bytes.data(), bytes.data() + kKeySize / 2, kKeySize / 2) != 0)
            break;
    }

    Context encrypt(EVP_CIPHER_CTX_new());
    Context decrypt(EVP_CIPHER_CTX_new());
    if (!encrypt || !decrypt)
        return failure(Error::invalid("EVP_CIPHER_CTX_new", "out of memory"));
    const EVP_CIPHER* cipher = EVP_aes_256_xts();
    if (EVP_EncryptInit_ex2(encrypt.get(), cipher, bytes.data(), nullptr, nullptr) != 1 ||
        EVP_DecryptInit_ex2(decrypt.get(), cipher, bytes.data(), nullptr, nullptr) != 1)
        return failure(Error::invalid("EVP_CipherInit_ex2", "OpenSSL refused the AES-256-XTS key"));
    return SectorCipher(std::move(key), std::move(encrypt), std::move(decrypt));
}

Result<void> SectorCipher::run(evp_cipher_ctx_st* context, uint64_t sector,
    std::span<const uint8_t> input, std::span<uint8_t> output)
{
    if (!context)
        return failure(Error::invalid("scratch cipher", "the key was destroyed"));
    std::array<uint8_t, 16> tweak = tweakOf(sector);
    // Re-initialising with only the IV keeps the key schedule and sets the tweak: one XTS data
    // unit per initialisation, as OpenSSL requires.
    if (EVP_CipherInit_ex2(context, nullptr, nullptr, tweak.data(), -1, nullptr) != 1)
        return failure(Error::invalid("EVP_CipherInit_ex2", "setting the sector tweak"));
    int length = 0;
    if (EVP_CipherUpdate(
            context, output.data(), &length, input.data(), static_cast<int>(kSectorSize)) != 1 ||
        length != static_cast<int>(kSectorSize))
        return failure(Error::invalid("EVP_CipherUpdate", "AES-256-XTS failed on a sector"));
    return {};
}

Result<void> SectorCipher::encrypt(
    uint64_t firstSector, std::span<const uint8_t> plaintext, std::span<uint8_t> ciphertext)
{
    if (plaintext.size() % kSectorSize || ciphertext.size() != plaintext.size())
        return failure(Error::invalid("scratch cipher", "buffers must be whole, equal sectors"));
    for (size_t offset = 0; offset < plaintext.size(); offset += kSectorSize) {
        VMM_TRY(run(m_encrypt.get(), firstSector + offset / kSectorSize,
            plaintext.subspan(offset, kSectorSize), ciphertext.subspan(offset, kSectorSize)));
    }
    return {};
}

Result<void> SectorCipher::decryptSector(
    uint64_t sector, std::span<const uint8_t> ciphertext, std::span<uint8_t> plaintext)
{
    if (ciphertext.size() != kSectorSize || plaintext.size() != kSectorSize)
        return failure(Error::invalid("scratch cipher", "a sector is 512 bytes"));
    return run(m_decrypt.get(), sector, ciphertext, plaintext);
}

void SectorCipher::destroy()
{
    m_encrypt.reset();
    m_decrypt.reset();
    m_key.wipe();
}

} // namespace vmm
