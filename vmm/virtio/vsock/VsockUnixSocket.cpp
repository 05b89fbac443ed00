#include "VsockUnixSocket.h"

#include <cerrno>
#include <cstring>

#include <sys/socket.h>
#include <sys/un.h>

namespace vmm::vsock {

namespace {

Result<sockaddr_un> unixAddress(const std::string& path)
{
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof address.sun_path)
        return failure(Error::invalid("vsock", "socket path is empty or too long: " + path));
    std::memcpy(address.sun_path, path.data(), path.size());
    return address;
}

Result<UniqueFd> streamSocket()
{
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.isValid())
        return failure(Error::fromErrno("socket", errno));
    return fd;
}

} // namespace

Result<UniqueFd> listenUnix(const std::string& path)
{
    sockaddr_un address = VMM_TRY(unixAddress(path));
    UniqueFd fd = VMM_TRY(streamSocket());
    // Safety: sockaddr_un is the sockaddr family member bind() expects for AF_UNIX.
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0)
        return failure(Error::fromErrno("bind", errno, path));
    if (::listen(fd.get(), 128) < 0)
        return failure(Error::fromErrno("listen", errno, path));
    return fd;
}

Result<UniqueFd> connectUnix(const std::string& path)
{
    sockaddr_un address = VMM_TRY(unixAddress(path));
    UniqueFd fd = VMM_TRY(streamSocket());
    // Safety: as in listenUnix().
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0)
        return failure(Error::fromErrno("connect", errno, path));
    return fd;
}

Result<std::optional<UniqueFd>> acceptUnix(int listener)
{
    UniqueFd fd(::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (fd.isValid())
        return std::optional<UniqueFd>(std::move(fd));
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED || errno == EINTR)
        return std::optional<UniqueFd>();
    return failure(Error::fromErrno("accept4", errno));
}

} // namespace vmm::vsock
