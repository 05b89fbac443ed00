#include "SecureBuffer.h"

#include <cerrno>
#include <openssl/crypto.h>
#include <string>
#include <unistd.h>

#include <sys/mman.h>

namespace vmm {

Result<SecureBuffer> SecureBuffer::create(size_t size)
{
    if (size == 0 || size > kMaximumSize)
        return failure(Error::invalid("secure buffer", "size must be 1 to 65536 bytes"));
    long page = ::sysconf(_SC_PAGESIZE);
    size_t pageSize = page > 0 ? static_cast<size_t>(page) : 4096;
    size_t mappedSize = (size + pageSize - 1) / pageSize * pageSize;
    void* address =
        ::mmap(nullptr, mappedSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (address == MAP_FAILED)
        return failure(Error::fromErrno("mmap", errno, "secure buffer"));
    SecureBuffer buffer(static_cast<uint8_t*>(address), size, mappedSize, false);
    // A core dump of this process must not carry the secret, and a forked child (none is meant
    // to exist, but a library might fork) must see zeroes instead of inheriting it.
    if (::madvise(address, mappedSize, MADV_DONTDUMP) < 0)
        return failure(Error::fromErrno("madvise(MADV_DONTDUMP)", errno, "secure buffer"));
    if (::madvise(address, mappedSize, MADV_WIPEONFORK) < 0)
        return failure(Error::fromErrno("madvise(MADV_WIPEONFORK)", errno, "secure buffer"));
    // Never written to swap, where the limit allows; the caller can report when it did not.
    // mlock2, not mlock: sanitizer runtimes replace mlock with a no-op that claims success.
    buffer.m_locked = ::mlock2(address, mappedSize, 0) == 0;
    return buffer;
}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept
{
    if (this != &other) {
        reset();
        m_address = std::exchange(other.m_address, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_mappedSize = std::exchange(other.m_mappedSize, 0);
        m_locked = std::exchange(other.m_locked, false);
    }
    return *this;
}

void SecureBuffer::wipe()
{
    if (m_address)
        OPENSSL_cleanse(m_address, m_mappedSize);
}

bool SecureBuffer::isAllZero() const
{
    // OR every byte together (no early exit), read through a volatile pointer so the check reads
    // the memory itself and not what the compiler remembers of it.
    const volatile uint8_t* bytes = m_address;
    uint8_t accumulated = 0;
    for (size_t i = 0; i < m_mappedSize; ++i)
        accumulated = static_cast<uint8_t>(accumulated | bytes[i]);
    return accumulated == 0;
}

void SecureBuffer::reset()
{
    if (!m_address)
        return;
    wipe();
    if (m_locked)
        ::munlock(m_address, m_mappedSize);
    ::munmap(m_address, m_mappedSize);
    m_address = nullptr;
    m_size = 0;
    m_mappedSize = 0;
    m_locked = false;
}

} // namespace vmm
