#pragma once

#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <cstdint>
#include <string>

namespace vmm {

/// A non-blocking listening stream socket for VNC viewers: a Unix socket at a path, or TCP on
/// 127.0.0.1 only. Made before the sandbox (bind and listen are not on the display thread's list).
class ListeningSocket {
public:
    /// Listens at `path`; a stale socket file there is replaced, anything else is an error.
    static Result<ListeningSocket> createUnix(const std::string& path);
    /// Listens on 127.0.0.1:`port` (0: any free port, see port()).
    static Result<ListeningSocket> createLoopback(uint16_t port);

    /// The listening descriptor, for poll.
    int fd() const { return m_fd.get(); }
    /// The TCP port listened on (0 for a Unix socket).
    uint16_t port() const { return m_port; }
    /// One pending connection, non-blocking and close-on-exec; an invalid fd when none is waiting.
    Result<UniqueFd> accept() const;

private:
    ListeningSocket(UniqueFd fd, uint16_t port)
        : m_fd(std::move(fd))
        , m_port(port)
    {
    }

    UniqueFd m_fd;
    uint16_t m_port = 0;
};

} // namespace vmm
