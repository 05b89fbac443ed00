#pragma once

#include "Frame.h"
#include "FrameDecoder.h"
#include "sys/Result.h"

#include <chrono>
#include <deque>
#include <optional>
#include <vector>

namespace vmm {

/// Frames over a connected stream socket (or pipe) that it borrows and puts in non-blocking
/// mode. Blocking calls wait with poll; the non-blocking ones serve full-duplex loops that poll
/// several fds. Memory stays bounded: one read buffer, the frames one read completed, and the
/// output queued by the caller (who checks hasPendingOutput() before queueing more).
class FrameStream {
public:
    /// Wait forever.
    static constexpr std::chrono::milliseconds kNoTimeout {-1};

    /// Uses `fd` (not owned; it must outlive this object) and sets O_NONBLOCK on it.
    explicit FrameStream(int fd);

    int fd() const { return m_fd; }

    /// Sends `frame`, waiting while the stream is full.
    Result<void> send(const Frame& frame, std::chrono::milliseconds timeout = kNoTimeout);
    /// The next frame, waiting for it. Nothing when the peer closed the stream between frames;
    /// an error when it closed inside one, on a malformed frame, or after `timeout`.
    Result<std::optional<Frame>> receive(std::chrono::milliseconds timeout = kNoTimeout);

    /// Adds `frame` to the output, to be written by flush().
    Result<void> queue(const Frame& frame);
    /// Whether queued output is still unwritten (poll for POLLOUT then).
    bool hasPendingOutput() const { return m_outputSent < m_output.size(); }
    /// Writes as much queued output as the stream takes now.
    Result<void> flush();
    /// Reads once, without waiting, and decodes. False at the end of the stream.
    Result<bool> readAvailable();
    /// A frame decoded by readAvailable(), oldest first.
    std::optional<Frame> takeFrame();
    /// Whether decoded frames are waiting in takeFrame().
    bool hasFrames() const { return !m_frames.empty(); }

private:
    Result<void> waitFor(short events, std::chrono::milliseconds timeout);

    int m_fd;
    FrameDecoder m_decoder;
    std::deque<Frame> m_frames;
    std::vector<uint8_t> m_output;
    size_t m_outputSent = 0;
    bool m_ended = false;
};

} // namespace vmm
