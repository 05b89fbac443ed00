#pragma once

#include "DatasetMessages.h"
#include "ExecMessages.h"
#include "FrameStream.h"
#include "GuestMetrics.h"
#include "Hello.h"
#include "OutboxMessages.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace vmm {

/// The host's side of the guest agent protocol over one connected stream. Blocking: run it on a
/// thread of its own. Everything the guest sends is validated as hostile input; a malformed
/// frame fails the call and leaves the client unusable (connect again).
class AgentClient {
public:
    /// Which stream an exec's output came from.
    enum class OutputStream { Stdout, Stderr };
    /// Receives output as it arrives; returning an error stops the command (SIGKILL).
    using OutputHandler = std::function<Result<void>(OutputStream, std::span<const uint8_t>)>;
    /// Receives a fetched file's bytes in order.
    using ChunkHandler = std::function<Result<void>(std::span<const uint8_t>)>;

    /// Firecracker's hybrid vsock, host-initiated: connects to the Unix socket `udsPath`, writes
    /// "CONNECT <port>\n", reads "OK <hostport>\n". The returned stream then is the guest's.
    static Result<UniqueFd> connectHybridVsock(const std::string& udsPath, uint32_t port);
    /// Takes `stream` (connected to the agent) and exchanges Hello frames.
    static Result<AgentClient> create(
        UniqueFd stream, std::chrono::milliseconds timeout = std::chrono::seconds(10));

    /// The agent's Hello.
    const Hello& peer() const { return m_peer; }

    /// Runs `request` in the guest. Stdin comes from `stdinFd` (read to its end; -1: none, and
    /// request.hasStdin must agree), output goes to `onOutput`. Returns how the command ended.
    Result<ExecExited> exec(const ExecRequest& request, int stdinFd, const OutputHandler& onOutput);
    /// Every regular file under /outbox, with size, SHA-256 and mtime.
    Result<std::vector<OutboxEntry>> listOutbox();
    /// Fetches `path` (relative to /outbox) into `onChunk`; fails unless the bytes received
    /// match the guest's size and SHA-256. Returns them.
    Result<OutboxFileEnd> fetchOutboxFile(const std::string& path, const ChunkHandler& onChunk);
    /// The guest's memory, CPU, load, /work and uptime.
    Result<GuestMetrics> metrics();
    /// Asks the guest to mount the dataset disk the host just attached; returns where, once it
    /// is mounted. Waits at most `timeout` for the answer (the guest waits for the disk first).
    Result<MountDatasetDone> mountDataset(
        const MountDatasetRequest& request, std::chrono::milliseconds timeout);
    /// Asks the guest to shut down cleanly; returns once it has accepted.
    Result<void> shutdown();

private:
    AgentClient(UniqueFd stream, Hello peer);

    /// The next frame, failing on end of stream and turning an Error frame into an error.
    Result<Frame> expectFrame(std::string_view context);
    /// Writes all queued output, waiting as needed.
    Result<void> finishSending();
    Result<void> pumpExec(int stdinFd, const OutputHandler& onOutput, ExecExited& exited);

    UniqueFd m_fd;
    std::unique_ptr<FrameStream> m_stream; // heap: the client moves, the stream keeps its state
    Hello m_peer;
};

} // namespace vmm
