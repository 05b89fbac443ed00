#include "FrameStream.h"

#include "FrameEncoder.h"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <sys/socket.h>

namespace vmm {

namespace {
constexpr size_t kReadChunk = 64 * 1024;
} // namespace

FrameStream::FrameStream(int fd)
    : m_fd(fd)
{
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0)
        ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

Result<void> FrameStream::waitFor(short events, std::chrono::milliseconds timeout)
{
    using Clock = std::chrono::steady_clock;
    auto deadline = Clock::now() + timeout;
    for (;;) {
        int waitMs = -1;
        if (timeout.count() >= 0) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() < 0)
                return failure(Error::fromErrno("poll", ETIMEDOUT, "waiting for the peer"));
            waitMs = static_cast<int>(std::min<int64_t>(left.count(), INT32_MAX));
        }
        pollfd entry {m_fd, events, 0};
        int ready = ::poll(&entry, 1, waitMs);
        if (ready > 0)
            return {};
        if (ready < 0 && errno != EINTR)
            return failure(Error::fromErrno("poll", errno));
    }
}

Result<void> FrameStream::queue(const Frame& frame)
{
    std::vector<uint8_t> bytes = VMM_TRY(FrameEncoder::encode(frame));
    if (!hasPendingOutput()) {
        m_output = std::move(bytes);
        m_outputSent = 0;
        return {};
    }
    m_output.insert(m_output.end(), bytes.begin(), bytes.end());
    return {};
}

Result<void> FrameStream::flush()
{
    while (hasPendingOutput()) {
        const uint8_t* data = m_output.data() + m_outputSent;
        size_t size = m_output.size() - m_outputSent;
        // MSG_NOSIGNAL: a peer that went away is an error here, not a SIGPIPE.
        ssize_t written = ::send(m_fd, data, size, MSG_NOSIGNAL);
        if (written < 0 && errno == ENOTSOCK)
            written = ::write(m_fd, data, size);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return {};
            return failure(Error::fromErrno("send", errno, "frame stream"));
        }
        m_outputSent += static_cast<size_t>(written);
    }
    m_output.clear();
    m_outputSent = 0;
    return {};
}

Result<void> FrameStream::send(const Frame& frame, std::chrono::milliseconds timeout)
{
    VMM_TRY(queue(frame));
    for (;;) {
        VMM_TRY(flush());
        if (!hasPendingOutput())
            return {};
        VMM_TRY(waitFor(POLLOUT, timeout));
    }
}

Result<bool> FrameStream::readAvailable()
{
    if (m_ended)
        return false;
    std::array<uint8_t, kReadChunk> buffer;
    ssize_t got;
    do {
        got = ::read(m_fd, buffer.data(), buffer.size());
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return true;
        return failure(Error::fromErrno("read", errno, "frame stream"));
    }
    if (got == 0) {
        m_ended = true;
        VMM_TRY(m_decoder.finish());
        return false;
    }
    std::vector<Frame> frames =
        VMM_TRY(m_decoder.feed(std::span(buffer).first(static_cast<size_t>(got))));
    for (Frame& frame : frames)
        m_frames.push_back(std::move(frame));
    return true;
}

std::optional<Frame> FrameStream::takeFrame()
{
    if (m_frames.empty())
        return std::nullopt;
    Frame frame = std::move(m_frames.front());
    m_frames.pop_front();
    return frame;
}

Result<std::optional<Frame>> FrameStream::receive(std::chrono::milliseconds timeout)
{
    using Clock = std::chrono::steady_clock;
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (auto frame = takeFrame())
            return frame;
        if (!VMM_TRY(readAvailable()))
            return std::optional<Frame> {};
        if (hasFrames())
            continue;
        auto left = timeout.count() < 0
            ? kNoTimeout
            : std::max(
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()),
                  std::chrono::milliseconds(0));
        VMM_TRY(waitFor(POLLIN, left));
    }
}

} // namespace vmm
