#pragma once

#include "AppResult.h"
#include "protocol/GuestMetrics.h"
#include "sys/UniqueFd.h"

#include <memory>
#include <mutex>

#include <QDateTime>
#include <QFuture>
#include <QList>
#include <QString>
#include <QThreadPool>

namespace vmm {
class AgentClient;
class ControlClient;
} // namespace vmm

namespace app {

/// A file in the session's /outbox, as the guest agent lists it.
struct OutboxFile {
    /// The path relative to /outbox.
    QString path;
    quint64 size = 0;
    /// SHA-256, 64 lowercase hex digits, as the guest computed it.
    QString sha256;
    QDateTime modified;
};

/// An outbox file copied to the host.
struct OutboxExport {
    /// Where it was written.
    QString destination;
    quint64 size = 0;
    /// SHA-256 of the bytes written, which matched the guest's.
    QString sha256;
};

/// One connection to the guest agent (vsock port 1024, relayed over the control channel),
/// driven from a thread of its own: each request is queued and answered through a QFuture, in
/// order. The connection is made on first use and again after a failure.
class GuestAgent {
public:
    /// An agent reached through `client`'s relayed streams.
    explicit GuestAgent(std::shared_ptr<vmm::ControlClient> client);
    /// Cuts a request in progress short and waits for the thread.
    ~GuestAgent();

    GuestAgent(const GuestAgent&) = delete;
    GuestAgent& operator=(const GuestAgent&) = delete;

    /// The guest's memory, CPU, load and uptime now.
    QFuture<Result<vmm::GuestMetrics>> metrics();
    /// Every regular file in /outbox.
    QFuture<Result<QList<OutboxFile>>> listOutbox();
    /// Copies /outbox/`path` to `destination` atomically (all or nothing), hashing it while it
    /// is written; fails unless the hash matches the guest's.
    QFuture<Result<OutboxExport>> fetchOutboxFile(const QString& path, const QString& destination);
    /// Ends the current request (its stream is shut down); later ones reconnect. Any thread.
    void abort();

private:
    Result<vmm::AgentClient*> connection();
    void disconnect();
    Result<OutboxExport> fetch(const QString& path, const QString& destination);

    std::shared_ptr<vmm::ControlClient> m_client;
    QThreadPool m_pool;
    // Only the pool's thread uses the agent; abort() reaches the stream through the handle.
    std::unique_ptr<vmm::AgentClient> m_agent;
    std::mutex m_handleMutex;
    vmm::UniqueFd m_abortHandle;
};

} // namespace app
