#pragma once

#include "BrokerProtocol.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <atomic>
#include <mutex>

namespace vmm {

/// The VMM's end of the broker's socket: one request and its reply at a time (a mutex), replies
/// matched by sequence number, every wait bounded by the socket's receive timeout. Thread-safe.
class BrokerChannel {
public:
    /// A reply and the descriptor that came with it (Open only).
    struct Answer {
        broker::Reply reply;
        UniqueFd fd;
    };

    /// Talks over `socket` (a SOCK_SEQPACKET whose SO_RCVTIMEO bounds each wait).
    explicit BrokerChannel(UniqueFd socket);

    /// Sends `request` (its sequence is set here) and waits for its reply; an Error whose
    /// operation is kOpenerFailure when the broker stopped, timed out or answered garbage.
    Result<Answer> request(broker::Request request);
    /// Shuts the socket down: the broker exits, and every request from now on fails at once.
    /// Callable from any thread while another waits in request().
    void shutdown();
    /// Whether shutdown() was called or the broker was found gone.
    bool isStopped() const { return m_stopped.load(); }

private:
    Result<Answer> receiveReply(uint64_t sequence, broker::RequestKind kind);

    std::mutex m_mutex;
    UniqueFd m_socket;
    uint64_t m_nextSequence = 1;
    std::atomic<bool> m_stopped {false};
};

} // namespace vmm
