#include "DatasetBroker.h"

#include "BrokerOpener.h"
#include "BrokerServer.h"

#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

namespace vmm {

namespace {

using namespace broker;

constexpr std::chrono::milliseconds kReapWait {2'000};

Result<void> setTimeouts(int socket)
{
    auto milliseconds = DatasetBroker::kReplyTimeout.count();
    timeval limit {static_cast<time_t>(milliseconds / 1000),
        static_cast<suseconds_t>(milliseconds % 1000 * 1000)};
    if (::setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit) < 0 ||
        ::setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit) < 0)
        return failure(Error::fromErrno("setsockopt", errno, "dataset broker timeouts"));
    return {};
}

// Waits (bounded) for the broker to exit; true when it was reaped.
bool reap(pid_t pid)
{
    auto deadline = std::chrono::steady_clock::now() + kReapWait;
    while (true) {
        int status = 0;
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR))
            return done == pid;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

// What a refused grant means to the person who dropped the folder.
Error grantError(const Reply& reply, const std::string& name, const std::string& hostPath)
{
    std::string shown = "\"" + hostPath + "\"";
    switch (reply.status) {
    case Status::Refused:
        return Error::fromErrno(kOpenerFailure, EACCES,
            "refused to open " + shown +
                ": the app did not authorize it (the grant does not match)");
    case Status::BadName:
        return Error::fromErrno(kOpenerFailure, EINVAL, "\"" + name + "\" cannot name a dataset");
    case Status::BadPath:
        return Error::fromErrno(kOpenerFailure, EINVAL, shown + " is not an absolute path");
    case Status::TooManyDatasets:
        return Error::fromErrno(kOpenerFailure, EMFILE, "this session can take no more datasets");
    case Status::OpenFailed:
        break;
    default:
        return Error::fromErrno(kOpenerFailure, EPROTO, "the broker refused the request");
    }
    int error = reply.errnoValue;
    switch (error) {
    case ENOENT:
        return Error::fromErrno(
            "dataset", error, shown + " is not there any more (moved or deleted?)");
    case EACCES:
    case EPERM:
        return Error::fromErrno("dataset", error,
            "cannot open " + shown + ": give your user read permission on it (chmod u+rx)");
    case ELOOP:
        return Error::fromErrno("dataset", error,
            shown +
                " is a symbolic link: Airlock never follows links on the host; add the folder "
                "or file it points to instead");
    case ENODEV:
        return Error::fromErrno("dataset", error,
            shown + " is neither a folder nor a regular file; add a folder or a file");
    case ESTALE:
        return Error::fromErrno(
            "dataset", error, shown + " was replaced while it was being opened; try again");
    default:
        return Error::fromErrno("dataset", error, "cannot open " + shown);
    }
}

} // namespace

Result<std::unique_ptr<DatasetBroker>> DatasetBroker::start(std::span<const uint8_t, 32> key)
{
    int ends[2] = {-1, -1};
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ends) < 0)
        return failure(Error::fromErrno("socketpair", errno, "dataset broker"));
    UniqueFd own(ends[0]);
    UniqueFd brokerEnd(ends[1]);
    VMM_TRY(setTimeouts(own.get()));
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0)
        return failure(Error::fromErrno("fork", errno, "dataset broker"));
    if (pid == 0) {
        own.reset();
        runDatasetBroker(brokerEnd.get(), key, parent);
    }
    brokerEnd.reset();

    // Its first message says it is confined (or why it could not be).
    auto ready = receiveMessage(own.get(), kMaxReplyBytes + 1);
    std::optional<Reply> reply;
    if (ready && !ready->truncated && ready->fds.empty())
        if (auto decoded = decodeReply(ready->bytes))
            reply = *decoded;
    if (!reply || reply->status != Status::Ready) {
        own.reset();
        reap(pid);
        if (reply && reply->status == Status::StartFailed)
            return failure(Error::fromErrno(
                "dataset broker", reply->errnoValue, "the broker could not confine itself"));
        return failure(Error::fromErrno("dataset broker",
            ready ? EPROTO : ready.error().errnoValue(), "the broker did not start"));
    }
    auto channel = std::make_shared<BrokerChannel>(std::move(own));
    return std::unique_ptr<DatasetBroker>(new DatasetBroker(std::move(channel), pid));
}

DatasetBroker::DatasetBroker(std::shared_ptr<BrokerChannel> channel, pid_t pid)
    : m_channel(std::move(channel))
    , m_pid(pid)
{
}

DatasetBroker::~DatasetBroker()
{
    m_channel->shutdown();
    reap(m_pid);
}

Result<DatasetSource> DatasetBroker::grant(
    const std::string& name, const std::string& hostPath, std::span<const uint8_t, 32> mac)
{
    if (!isValidDatasetName(name))
        return failure(
            Error::fromErrno(kOpenerFailure, EINVAL, "\"" + name + "\" cannot name a dataset"));
    if (!isValidHostPath(hostPath))
        return failure(Error::fromErrno(
            kOpenerFailure, EINVAL, "\"" + hostPath + "\" is not an absolute path"));
    Request request;
    request.kind = RequestKind::Grant;
    request.name = name;
    request.path = hostPath;
    std::copy(mac.begin(), mac.end(), request.mac.begin());
    BrokerChannel::Answer answer = VMM_TRY(m_channel->request(std::move(request)));
    if (answer.reply.status != Status::Ok || answer.reply.handle == 0)
        return failure(grantError(answer.reply, name, hostPath));
    DatasetSource source;
    source.hostPath = hostPath;
    source.opener = std::make_shared<BrokerOpener>(m_channel, answer.reply.handle);
    source.oneFileName = answer.reply.oneFile ? answer.reply.fileName : std::string();
    return source;
}

} // namespace vmm
