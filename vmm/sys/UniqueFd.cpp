#include "UniqueFd.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace vmm {

Result<UniqueFd> UniqueFd::open(const char* path, int flags, unsigned mode)
{
    int fd = ::open(path, flags | O_CLOEXEC, mode);
    if (fd < 0)
        return failure(Error::fromErrno("open", errno, path));
    return UniqueFd(fd);
}

void UniqueFd::reset()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

} // namespace vmm
