#include "AgentServer.h"

#include "AgentSession.h"
#include "Console.h"
#include "sys/UniqueFd.h"

#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

#include <linux/vm_sockets.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

namespace vmm::guest {

namespace {

std::atomic<int> g_connections {0};

// Without a virtio-vsock device the vsock core still accepts sockets, but no transport gives the
// guest a CID: /dev/vsock then answers VMADDR_CID_ANY or the loopback's VMADDR_CID_LOCAL.
bool hasVsockTransport()
{
    int fd = ::open("/dev/vsock", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    unsigned cid = VMADDR_CID_ANY;
    // A guest's CID is 3 or more; 1 is the loopback transport, which answers when nothing else
    // does.
    bool present = ::ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &cid) == 0 &&
        cid > VMADDR_CID_HOST && cid != VMADDR_CID_ANY;
    ::close(fd);
    return present;
}

} // namespace

Result<void> AgentServer::start(AgentContext& context, uint32_t port)
{
    if (!hasVsockTransport())
        return failure(Error::invalid("agent", "no vsock device; the host agent channel is off"));
    UniqueFd listener(::socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!listener.isValid())
        return failure(Error::fromErrno("socket", errno, "AF_VSOCK"));
    sockaddr_vm address {};
    address.svm_family = AF_VSOCK;
    address.svm_cid = VMADDR_CID_ANY;
    address.svm_port = port;
    // Safety: sockaddr_vm is a sockaddr by the sockets API's layout rules.
    if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0)
        return failure(Error::fromErrno("bind", errno, "vsock port " + std::to_string(port)));
    if (::listen(listener.get(), 16) < 0)
        return failure(Error::fromErrno("listen", errno, "vsock"));
    std::thread([fd = listener.release(), &context] { acceptLoop(fd, context); }).detach();
    return {};
}

void AgentServer::acceptLoop(int listener, AgentContext& context)
{
    for (;;) {
        int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EINTR && errno != ECONNABORTED)
                ::usleep(100'000); // EMFILE and the like: do not spin
            continue;
        }
        UniqueFd connection(fd);
        if (g_connections.fetch_add(1) >= kMaxConnections) {
            g_connections.fetch_sub(1);
            continue; // closed at once: the host retries
        }
        std::thread([connection = std::move(connection), &context]() mutable {
            if (auto served = AgentSession::serve(std::move(connection), context); !served)
                Console::say("agent connection: " + served.error().message());
            g_connections.fetch_sub(1);
        }).detach();
    }
}

} // namespace vmm::guest
