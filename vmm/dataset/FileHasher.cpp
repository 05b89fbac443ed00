#include "FileHasher.h"

#include <cerrno>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

namespace vmm {

void FileHasher::ContextDeleter::operator()(evp_md_ctx_st* context) const
{
    EVP_MD_CTX_free(context);
}

FileHasher::FileHasher(std::unique_ptr<evp_md_ctx_st, ContextDeleter> context)
    : m_context(std::move(context))
    , m_buffer(kBufferSize)
{
}

Result<FileHasher> FileHasher::create()
{
    std::unique_ptr<evp_md_ctx_st, ContextDeleter> context(EVP_MD_CTX_new());
    if (!context)
        return failure(Error::invalid("EVP_MD_CTX_new", "out of memory"));
    return FileHasher(std::move(context));
}

Result<HashedFile> FileHasher::hash(int fd, std::stop_token stop)
{
    if (EVP_DigestInit_ex(m_context.get(), EVP_sha256(), nullptr) != 1)
        return failure(Error::invalid("EVP_DigestInit_ex", "SHA-256 is not available"));
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    HashedFile hashed;
    while (true) {
        if (stop.stop_requested())
            return failure(Error::fromErrno("hashing", ECANCELED));
        ssize_t count = ::read(fd, m_buffer.data(), m_buffer.size());
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            return failure(Error::fromErrno("read", errno));
        if (count == 0)
            break;
        EVP_DigestUpdate(m_context.get(), m_buffer.data(), static_cast<size_t>(count));
        hashed.size += static_cast<uint64_t>(count);
    }
    unsigned length = 0;
    if (EVP_DigestFinal_ex(m_context.get(), hashed.sha256.data(), &length) != 1 ||
        length != hashed.sha256.size())
        return failure(Error::invalid("EVP_DigestFinal_ex", "SHA-256 failed"));
    return hashed;
}

Result<Sha256Digest> FileHasher::hashBytes(const uint8_t* bytes, size_t size)
{
    Sha256Digest digest {};
    unsigned length = 0;
    if (EVP_Digest(bytes, size, digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
        length != digest.size())
        return failure(Error::invalid("EVP_Digest", "SHA-256 failed"));
    return digest;
}

} // namespace vmm
