#pragma once

#include "SectorCipher.h"
#include "ShredReport.h"
#include "block/BlockBackend.h"
#include "sys/MappedRegion.h"
#include "sys/UniqueFd.h"

#include <memory>
#include <string>
#include <vector>

namespace vmm {

/// The guest's read-write scratch disk (/work, /outbox): a new sparse file on the host that only
/// ever holds AES-256-XTS ciphertext, under a random key that exists only in this process's
/// locked memory (DESIGN.md §Shredding). Sectors never written read as zeroes. shred() destroys
/// the key (a cryptographic erase), then discards and unlinks the file; the destructor shreds
/// what was not shredded yet.
class EncryptedScratch final : public BlockBackend {
public:
    /// Creates `path` (which must not exist; mode 0600) as a sparse file of `sizeBytes`, a
    /// non-zero multiple of 512, with a fresh key.
    static Result<std::unique_ptr<EncryptedScratch>> create(
        const std::string& path, uint64_t sizeBytes);

    /// Most bytes encrypted or decrypted per step: requests longer than this go in chunks, so
    /// the memory used never grows with a guest-supplied length.
    static constexpr size_t kChunkSize = 256 * 1024;

    ~EncryptedScratch() override;
    EncryptedScratch(const EncryptedScratch&) = delete;
    EncryptedScratch& operator=(const EncryptedScratch&) = delete;

    uint64_t sizeBytes() const override { return m_sizeBytes; }
    bool isReadOnly() const override { return false; }
    Result<void> read(uint64_t offset, std::span<uint8_t> destination) override;
    Result<void> write(uint64_t offset, std::span<const uint8_t> source) override;
    Result<void> flush() override;

    /// Destroys the key (wipe and check it reads back zero), punches the file's blocks out (or
    /// truncates it), closes and unlinks it and checks it is gone. One item per step; a second
    /// call returns nothing. Reads and writes fail afterwards.
    std::vector<ShredItem> shred();

    const std::string& path() const { return m_path; }
    /// Whether shred() has run.
    bool isShredded() const { return m_shredded; }
    /// Whether the key's memory is all zeroes (true once shredded; false while in use).
    bool isKeyWiped() const { return m_cipher.isKeyWiped(); }
    /// Whether the key's pages are locked against swapping (RLIMIT_MEMLOCK permitting).
    bool isKeyLocked() const { return m_cipher.isKeyLocked(); }

private:
    EncryptedScratch(std::string path, UniqueFd fd, uint64_t sizeBytes, SectorCipher cipher,
        MappedRegion written);

    Result<void> checkRequest(const char* operation, uint64_t offset, size_t length) const;
    bool isWritten(uint64_t sector) const;
    void markWritten(uint64_t sector);
    Result<void> readChunk(uint64_t firstSector, std::span<uint8_t> destination);
    Result<void> writeChunk(uint64_t firstSector, std::span<const uint8_t> source);
    ShredItem shredFile();

    std::string m_path;
    UniqueFd m_fd;
    uint64_t m_sizeBytes = 0;
    SectorCipher m_cipher;
    // One bit per sector (holes must read as zeroes), in anonymous MAP_NORESERVE memory: a page
    // of the bitmap costs memory only once a sector it covers has been written.
    MappedRegion m_written;
    std::vector<uint8_t> m_chunk; // kChunkSize bytes of ciphertext, reused by every request
    bool m_shredded = false;
};

} // namespace vmm
