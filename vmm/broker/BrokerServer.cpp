#include "BrokerServer.h"

#include "BrokerProtocol.h"
#include "dataset/OpenBeneath.h"
#include "sandbox/Landlock.h"
#include "sandbox/ProcessHardening.h"
#include "sandbox/SeccompFilter.h"

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>
#include <vector>

#include <sys/prctl.h>
#include <sys/stat.h>

namespace vmm {

namespace {

using namespace broker;

// What a request's flags may hold besides O_RDONLY (the ones the opener always adds included).
constexpr uint32_t kAllowedOpenFlags =
    O_DIRECTORY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC | O_LARGEFILE;

std::string withoutTrailingSlashes(std::string path)
{
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    return path;
}

// One granted dataset: the folder opens start beneath, and for a one-file dataset the one name
// that may be opened there (never its siblings).
struct Dataset {
    UniqueFd base;
    std::string fileName;
};

Reply answer(const Request& request, Status status, int errnoValue = 0)
{
    Reply reply;
    reply.status = status;
    reply.sequence = request.sequence;
    reply.errnoValue = errnoValue;
    return reply;
}

class Server {
public:
    Server(int socket, std::span<const uint8_t, 32> key)
        : m_socket(socket)
    {
        std::copy(key.begin(), key.end(), m_key.begin());
    }
    ~Server() { wipeGrantKey(m_key); }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Answers requests until the VMM closes its end (or the socket fails).
    void serve()
    {
        while (true) {
            auto received = receiveMessage(m_socket, kMaxRequestBytes + 1);
            if (!received)
                return;
            if (received->bytes.empty() && !received->truncated && received->fds.empty())
                return; // the VMM closed its end
            UniqueFd opened;
            Reply reply = handle(*received, opened);
            if (!sendMessage(m_socket, encode(reply), opened.get()))
                return;
        }
    }

private:
    Reply handle(const Message& message, UniqueFd& opened)
    {
        Request request;
        auto decoded = decodeRequest(message.bytes);
        if (decoded)
            request = std::move(decoded).value();
        else if (message.bytes.size() >= sizeof(RequestHeader))
            std::memcpy(&request.sequence, message.bytes.data() + offsetof(RequestHeader, sequence),
                sizeof request.sequence); // echoed, so the sender can match the refusal
        if (!decoded || message.truncated || !message.fds.empty())
            return answer(request, Status::Malformed, EPROTO);
        if (request.kind == RequestKind::Grant)
            return grant(request);
        return open(request, opened);
    }

    Reply grant(const Request& request)
    {
        if (!isValidDatasetName(request.name))
            return answer(request, Status::BadName, EINVAL);
        if (!isValidHostPath(request.path))
            return answer(request, Status::BadPath, EINVAL);
        if (m_datasets.size() >= kMaxDatasets)
            return answer(request, Status::TooManyDatasets, EMFILE);
        auto expected = grantMac(m_key, request.name, request.path);
        if (!expected || CRYPTO_memcmp(expected->data(), request.mac.data(), expected->size()) != 0)
            return answer(request, Status::Refused, EACCES);

        std::string path = withoutTrailingSlashes(request.path);
        UniqueFd pathFd(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (!pathFd.isValid())
            return answer(request, Status::OpenFailed, errno);
        struct stat status { };
        if (::fstat(pathFd.get(), &status) != 0)
            return answer(request, Status::OpenFailed, errno);
        Dataset dataset;
        if (S_ISDIR(status.st_mode)) {
            dataset.base =
                UniqueFd(::openat(pathFd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        } else if (S_ISREG(status.st_mode)) {
            size_t slash = path.rfind('/');
            dataset.fileName = path.substr(slash + 1);
            std::string parent = slash == 0 ? "/" : path.substr(0, slash);
            dataset.base = UniqueFd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            struct stat now { };
            if (dataset.base.isValid() &&
                (::fstatat(dataset.base.get(), dataset.fileName.c_str(), &now,
                     AT_SYMLINK_NOFOLLOW) != 0 ||
                    now.st_dev != status.st_dev || now.st_ino != status.st_ino))
                return answer(request, Status::OpenFailed, ESTALE); // replaced meanwhile
        } else {
            return answer(request, Status::OpenFailed, S_ISLNK(status.st_mode) ? ELOOP : ENODEV);
        }
        if (!dataset.base.isValid())
            return answer(request, Status::OpenFailed, errno);
        Reply reply = answer(request, Status::Ok);
        reply.oneFile = !dataset.fileName.empty();
        reply.fileName = dataset.fileName;
        m_datasets.push_back(std::move(dataset));
        reply.handle = static_cast<uint32_t>(m_datasets.size());
        return reply;
    }

    Reply open(const Request& request, UniqueFd& opened)
    {
        if (request.handle == 0 || request.handle > m_datasets.size())
            return answer(request, Status::BadHandle, EBADF);
        const Dataset& dataset = m_datasets[request.handle - 1];
        if (!isSafeRelativePath(request.path) ||
            (!dataset.fileName.empty() && request.path != dataset.fileName))
            return answer(request, Status::BadPath, EINVAL);
        if ((request.flags & O_ACCMODE) != O_RDONLY || (request.flags & ~kAllowedOpenFlags) != 0)
            return answer(request, Status::BadFlags, EINVAL);
        int flags = static_cast<int>(request.flags & kAllowedOpenFlags);
        auto result =
            openBeneath(dataset.base.get(), request.path.empty() ? "." : request.path, flags);
        if (!result)
            return answer(request, Status::OpenFailed, result.error().errnoValue());
        opened = std::move(result).value();
        return answer(request, Status::Ok);
    }

    int m_socket;
    GrantKey m_key {};
    std::vector<Dataset> m_datasets;
};

// Points 0, 1 and 2 at /dev/null: nothing of the VMM's stays open here, and no file the broker
// opens can land on a standard descriptor.
Result<void> detachStandardDescriptors()
{
    UniqueFd null = VMM_TRY(UniqueFd::open("/dev/null", O_RDWR));
    for (int fd = 0; fd <= 2; ++fd) {
        if (::dup2(null.get(), fd) < 0)
            return failure(Error::fromErrno("dup2", errno));
    }
    if (null.get() <= 2)
        (void)null.release(); // it is one of the three now
    return {};
}

Result<void> confine(int socket, pid_t parent)
{
    int keep[] = {socket};
    VMM_TRY(closeInheritedFileDescriptors(keep));
    VMM_TRY(detachStandardDescriptors());
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
        return failure(Error::fromErrno("prctl(PR_SET_PDEATHSIG)", errno));
    if (::getppid() != parent) // the VMM died before PDEATHSIG was set
        return failure(Error::fromErrno("getppid", ESRCH, "the VMM is gone"));
    VMM_TRY(setNoNewPrivileges());
    VMM_TRY(disableCoreDumps());
    // OpenSSL loads its configuration and providers on first use: before the filter, not after.
    GrantKey warmUp {};
    VMM_TRY(grantMac(warmUp, "warm-up", "/"));
    std::string root = "/";
    VMM_TRY(restrictFileAccess(std::span(&root, 1), {}));
    VMM_TRY(installSyscallFilter(ThreadKind::Broker));
    return {};
}

} // namespace

void runDatasetBroker(int socket, std::span<const uint8_t, 32> key, pid_t parent)
{
    Reply ready;
    auto confined = confine(socket, parent);
    ready.status = confined ? Status::Ready : Status::StartFailed;
    ready.errnoValue = confined ? 0 : confined.error().errnoValue();
    if (!sendMessage(socket, encode(ready)) || !confined)
        ::_exit(1);
    {
        Server server(socket, key);
        server.serve();
    }
    ::_exit(0);
}

} // namespace vmm
