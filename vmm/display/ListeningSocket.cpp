#include "ListeningSocket.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

namespace vmm {

namespace {

constexpr int kBacklog = 8;

} // namespace

Result<ListeningSocket> ListeningSocket::createUnix(const std::string& path)
{
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(address.sun_path))
        return failure(Error::invalid("display socket",
            "'" + path + "' is empty or longer than " +
                std::to_string(sizeof(address.sun_path) - 1) + " bytes"));
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);

    struct stat existing { };
    if (::lstat(path.c_str(), &existing) == 0) {
        if (!S_ISSOCK(existing.st_mode))
            return failure(Error::invalid(
                "display socket", "'" + path + "' exists and is not a socket: not replacing it"));
        if (::unlink(path.c_str()) != 0)
            return failure(Error::fromErrno("unlink", errno, path));
    }

    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.isValid())
        return failure(Error::fromErrno("socket", errno, "display socket"));
    // Safety: address is a sockaddr_un; bind reads sizeof(address) bytes of it.
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        return failure(Error::fromErrno("bind", errno, path));
    if (::listen(fd.get(), kBacklog) != 0)
        return failure(Error::fromErrno("listen", errno, path));
    return ListeningSocket(std::move(fd), 0);
}

Result<ListeningSocket> ListeningSocket::createLoopback(uint16_t port)
{
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.isValid())
        return failure(Error::fromErrno("socket", errno, "display TCP socket"));
    int one = 1;
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        return failure(Error::fromErrno("setsockopt", errno, "SO_REUSEADDR"));
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // never any other interface
    std::string where = "127.0.0.1:" + std::to_string(port);
    // Safety: address is a sockaddr_in; bind and getsockname use sizeof(address) bytes of it.
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        return failure(Error::fromErrno("bind", errno, where));
    if (::listen(fd.get(), kBacklog) != 0)
        return failure(Error::fromErrno("listen", errno, where));
    socklen_t length = sizeof address;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
        return failure(Error::fromErrno("getsockname", errno, where));
    return ListeningSocket(std::move(fd), ntohs(address.sin_port));
}

Result<UniqueFd> ListeningSocket::accept() const
{
    while (true) {
        int connection = ::accept4(m_fd.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (connection >= 0)
            return UniqueFd(connection);
        if (errno == EINTR)
            continue;
        // Nothing waiting, or a connection that went away before it was accepted.
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED)
            return UniqueFd();
        return failure(Error::fromErrno("accept4", errno, "display socket"));
    }
}

} // namespace vmm
