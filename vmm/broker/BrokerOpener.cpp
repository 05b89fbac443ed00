#include "BrokerOpener.h"

#include <cerrno>
#include <fcntl.h>

namespace vmm {

namespace {

using namespace broker;

constexpr int kAllowedFlags = O_DIRECTORY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC;

} // namespace

BrokerOpener::BrokerOpener(std::shared_ptr<BrokerChannel> channel, uint32_t handle)
    : m_channel(std::move(channel))
    , m_handle(handle)
{
}

Result<UniqueFd> BrokerOpener::open(const std::string& relativePath, int flags)
{
    // Checked here too: a request the broker would refuse is not worth a round trip.
    if (!isSafeRelativePath(relativePath))
        return failure(Error::fromErrno(
            kOpenerFailure, EINVAL, "\"" + relativePath + "\" is not a path beneath the dataset"));
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & ~(O_ACCMODE | kAllowedFlags)) != 0)
        return failure(
            Error::fromErrno(kOpenerFailure, EINVAL, "only read-only opens are allowed"));
    Request request;
    request.kind = RequestKind::Open;
    request.handle = m_handle;
    request.flags = static_cast<uint32_t>(flags | O_NOFOLLOW | O_CLOEXEC);
    request.path = relativePath;
    BrokerChannel::Answer answer = VMM_TRY(m_channel->request(std::move(request)));
    switch (answer.reply.status) {
    case Status::Ok:
        return std::move(answer.fd);
    case Status::OpenFailed:
        // The file's own failure (gone, unreadable, a symlink on the way): not the broker's.
        return failure(Error::fromErrno("openat2", answer.reply.errnoValue, relativePath));
    case Status::BadHandle:
        return failure(Error::fromErrno(kOpenerFailure, EBADF, "the broker knows no such dataset"));
    case Status::BadPath:
        return failure(Error::fromErrno(
            kOpenerFailure, EINVAL, "the broker refused the path \"" + relativePath + "\""));
    case Status::BadFlags:
        return failure(
            Error::fromErrno(kOpenerFailure, EINVAL, "the broker refused the open flags"));
    default:
        return failure(Error::fromErrno(kOpenerFailure, EPROTO, "the broker refused the request"));
    }
}

} // namespace vmm
