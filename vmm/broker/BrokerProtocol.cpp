#include "BrokerProtocol.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/socket.h>

namespace vmm::broker {

namespace {

// Descriptors one message may bring; more are closed and make the message unusable.
constexpr size_t kMaxDescriptors = 4;

template<typename Header>
std::vector<uint8_t> withHeader(
    const Header& header, std::string_view first, std::string_view second)
{
    std::vector<uint8_t> bytes(sizeof header + first.size() + second.size());
    std::memcpy(bytes.data(), &header, sizeof header);
    std::memcpy(bytes.data() + sizeof header, first.data(), first.size());
    std::memcpy(bytes.data() + sizeof header + first.size(), second.data(), second.size());
    return bytes;
}

std::string textAt(std::span<const uint8_t> bytes, size_t offset, size_t length)
{
    // Safety: the caller checked offset + length lies within `bytes`; chars and bytes have one
    // size.
    return std::string(reinterpret_cast<const char*>(bytes.data() + offset), length);
}

} // namespace

std::vector<uint8_t> encode(const Request& request)
{
    RequestHeader header {};
    header.magic = kMagic;
    header.kind = static_cast<uint32_t>(request.kind);
    header.sequence = request.sequence;
    header.handle = request.handle;
    header.flags = request.flags;
    header.nameLength = static_cast<uint32_t>(request.name.size());
    header.pathLength = static_cast<uint32_t>(request.path.size());
    std::memcpy(header.mac, request.mac.data(), request.mac.size());
    return withHeader(header, request.name, request.path);
}

std::vector<uint8_t> encode(const Reply& reply)
{
    ReplyHeader header {};
    header.magic = kMagic;
    header.status = static_cast<uint32_t>(reply.status);
    header.sequence = reply.sequence;
    header.errnoValue = reply.errnoValue;
    header.handle = reply.handle;
    header.oneFile = reply.oneFile ? 1 : 0;
    header.nameLength = static_cast<uint32_t>(reply.fileName.size());
    return withHeader(header, reply.fileName, {});
}

Result<Request> decodeRequest(std::span<const uint8_t> bytes)
{
    auto malformed = [](std::string_view why) {
        return failure(Error::fromErrno("dataset broker request", EPROTO, why));
    };
    RequestHeader header {};
    if (bytes.size() < sizeof header)
        return malformed("shorter than its header");
    std::memcpy(&header, bytes.data(), sizeof header);
    if (header.magic != kMagic)
        return malformed("not a broker message");
    if (header.kind != static_cast<uint32_t>(RequestKind::Grant) &&
        header.kind != static_cast<uint32_t>(RequestKind::Open))
        return malformed("unknown request");
    if (header.nameLength > kMaxNameBytes || header.pathLength > kMaxPathBytes)
        return malformed("a length is out of bounds");
    if (bytes.size() != sizeof header + header.nameLength + header.pathLength)
        return malformed("its lengths do not add up to its size");
    Request request;
    request.kind = static_cast<RequestKind>(header.kind);
    request.sequence = header.sequence;
    request.handle = header.handle;
    request.flags = header.flags;
    request.name = textAt(bytes, sizeof header, header.nameLength);
    request.path = textAt(bytes, sizeof header + header.nameLength, header.pathLength);
    std::memcpy(request.mac.data(), header.mac, request.mac.size());
    return request;
}

Result<Reply> decodeReply(std::span<const uint8_t> bytes)
{
    auto malformed = [](std::string_view why) {
        return failure(
            Error::fromErrno("dataset broker", EPROTO, "a garbled reply: " + std::string(why)));
    };
    ReplyHeader header {};
    if (bytes.size() < sizeof header)
        return malformed("shorter than its header");
    std::memcpy(&header, bytes.data(), sizeof header);
    if (header.magic != kMagic)
        return malformed("not a broker message");
    if (header.status > static_cast<uint32_t>(Status::StartFailed))
        return malformed("unknown status");
    if (header.nameLength > kMaxNameBytes || bytes.size() != sizeof header + header.nameLength)
        return malformed("its length does not match");
    if (header.oneFile > 1 || (header.oneFile == 1) != (header.nameLength > 0))
        return malformed("a one-file dataset without its name");
    Reply reply;
    reply.status = static_cast<Status>(header.status);
    reply.sequence = header.sequence;
    reply.errnoValue = header.errnoValue;
    reply.handle = header.handle;
    reply.oneFile = header.oneFile == 1;
    reply.fileName = textAt(bytes, sizeof header, header.nameLength);
    if (reply.oneFile && !isValidDatasetName(reply.fileName))
        return malformed("an unusable file name");
    return reply;
}

bool isValidDatasetName(std::string_view name)
{
    return !name.empty() && name.size() <= kMaxNameBytes && name != "." && name != ".." &&
        name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

bool isSafeRelativePath(std::string_view path)
{
    if (path.empty())
        return true;
    if (path.size() > kMaxPathBytes || path.front() == '/' ||
        path.find('\0') != std::string_view::npos)
        return false;
    size_t start = 0;
    while (true) {
        size_t slash = path.find('/', start);
        std::string_view component = path.substr(
            start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (component.empty() || component == "." || component == "..")
            return false;
        if (slash == std::string_view::npos)
            return true;
        start = slash + 1;
    }
}

bool isValidHostPath(std::string_view path)
{
    return !path.empty() && path.size() <= kMaxPathBytes && path.front() == '/' &&
        path.find('\0') == std::string_view::npos;
}

Result<void> sendMessage(int socket, std::span<const uint8_t> bytes, int fd)
{
    iovec vector {const_cast<uint8_t*>(bytes.data()), bytes.size()};
    msghdr header {};
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] {};
    if (fd >= 0) {
        header.msg_control = control;
        header.msg_controllen = sizeof control;
        cmsghdr* message = CMSG_FIRSTHDR(&header);
        message->cmsg_level = SOL_SOCKET;
        message->cmsg_type = SCM_RIGHTS;
        message->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(message), &fd, sizeof fd);
    }
    while (true) {
        ssize_t sent = ::sendmsg(socket, &header, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0)
            return failure(Error::fromErrno("sendmsg", errno));
        if (static_cast<size_t>(sent) != bytes.size())
            return failure(Error::fromErrno("sendmsg", EMSGSIZE));
        return {};
    }
}

Result<Message> receiveMessage(int socket, size_t maxBytes)
{
    Message received;
    received.bytes.resize(maxBytes);
    iovec vector {received.bytes.data(), received.bytes.size()};
    msghdr header {};
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxDescriptors)] {};
    header.msg_control = control;
    header.msg_controllen = sizeof control;
    ssize_t count = -1;
    do {
        count = ::recvmsg(socket, &header, MSG_CMSG_CLOEXEC);
    } while (count < 0 && errno == EINTR);
    if (count < 0)
        return failure(Error::fromErrno("recvmsg", errno));
    // Every descriptor that came is owned (and so closed) whatever else is wrong.
    for (cmsghdr* message = CMSG_FIRSTHDR(&header); message;
         message = CMSG_NXTHDR(&header, message)) {
        if (message->cmsg_level != SOL_SOCKET || message->cmsg_type != SCM_RIGHTS)
            continue;
        size_t descriptors = (message->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t index = 0; index < descriptors; ++index) {
            int fd = -1;
            std::memcpy(&fd, CMSG_DATA(message) + index * sizeof(int), sizeof fd);
            received.fds.emplace_back(fd);
        }
    }
    received.bytes.resize(static_cast<size_t>(count));
    received.truncated = (header.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
    return received;
}

} // namespace vmm::broker
