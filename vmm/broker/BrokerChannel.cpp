#include "BrokerChannel.h"

#include "dataset/FileOpener.h"

#include <cerrno>

#include <sys/socket.h>

namespace vmm {

namespace {

using namespace broker;

Error stopped(int errnoValue, std::string_view detail)
{
    return Error::fromErrno(kOpenerFailure, errnoValue, detail);
}

} // namespace

BrokerChannel::BrokerChannel(UniqueFd socket)
    : m_socket(std::move(socket))
{
}

void BrokerChannel::shutdown()
{
    m_stopped.store(true);
    ::shutdown(m_socket.get(), SHUT_RDWR);
}

Result<BrokerChannel::Answer> BrokerChannel::request(Request request)
{
    std::lock_guard lock(m_mutex);
    if (m_stopped.load())
        return failure(stopped(
            EPIPE, "the dataset broker has stopped; add the dataset again in a new session"));
    request.sequence = m_nextSequence++;
    auto sent = sendMessage(m_socket.get(), encode(request));
    if (!sent) {
        if (sent.error().errnoValue() == EPIPE || sent.error().errnoValue() == ECONNRESET)
            m_stopped.store(true);
        return failure(stopped(sent.error().errnoValue(), "cannot reach the dataset broker"));
    }
    return receiveReply(request.sequence, request.kind);
}

Result<BrokerChannel::Answer> BrokerChannel::receiveReply(uint64_t sequence, RequestKind kind)
{
    while (true) {
        auto received = receiveMessage(m_socket.get(), kMaxReplyBytes + 1);
        if (!received) {
            int error = received.error().errnoValue();
            if (error == EAGAIN || error == EWOULDBLOCK)
                return failure(stopped(ETIMEDOUT, "the dataset broker did not answer in time"));
            m_stopped.store(true);
            return failure(stopped(error, "the dataset broker's socket failed"));
        }
        if (received->bytes.empty() && !received->truncated && received->fds.empty()) {
            m_stopped.store(true);
            return failure(stopped(EPIPE, "the dataset broker has stopped"));
        }
        if (received->truncated)
            return failure(stopped(EPROTO, "a garbled reply from the dataset broker (too long)"));
        Reply reply = VMM_TRY(decodeReply(received->bytes));
        if (reply.sequence < sequence)
            continue; // the late reply to a request that timed out: its descriptor is closed
        if (reply.sequence > sequence)
            return failure(stopped(EPROTO, "a reply from the dataset broker to no request"));
        bool carriesFd = kind == RequestKind::Open && reply.status == Status::Ok;
        if (received->fds.size() != (carriesFd ? 1u : 0u))
            return failure(
                stopped(EPROTO, "a reply from the dataset broker with the wrong descriptors"));
        Answer answer;
        answer.reply = std::move(reply);
        if (carriesFd)
            answer.fd = std::move(received->fds.front());
        return answer;
    }
}

} // namespace vmm
