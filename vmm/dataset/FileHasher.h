#pragma once

#include "sys/Result.h"

#include <array>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <vector>

struct evp_md_ctx_st;

namespace vmm {

/// A SHA-256 digest.
using Sha256Digest = std::array<uint8_t, 32>;

/// The digest of one stream and how many bytes it had.
struct HashedFile {
    Sha256Digest sha256 {};
    uint64_t size = 0;
};

/// SHA-256 (OpenSSL EVP) of files read through a descriptor in bounded chunks; one per thread.
class FileHasher {
public:
    /// Bytes read per read(2).
    static constexpr size_t kBufferSize = 256 * 1024;

    static Result<FileHasher> create();

    /// Hashes `fd` from its current position to its end; fails with ECANCELED once `stop` is
    /// requested.
    Result<HashedFile> hash(int fd, std::stop_token stop = {});

    /// SHA-256 of `bytes` in one call.
    static Result<Sha256Digest> hashBytes(const uint8_t* bytes, size_t size);

private:
    struct ContextDeleter {
        void operator()(evp_md_ctx_st* context) const;
    };

    FileHasher(std::unique_ptr<evp_md_ctx_st, ContextDeleter> context);

    std::unique_ptr<evp_md_ctx_st, ContextDeleter> m_context;
    std::vector<uint8_t> m_buffer;
};

} // namespace vmm
