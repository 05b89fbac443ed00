#pragma once

// A VNC client for tests and benchmarks (libvncclient): connects over a stream socket the caller
// opened (a Unix socket, a relayed control-channel stream), keeps the frame in XRGB8888 (the
// engine's pixel layout: a 32-bit word 0x00RRGGBB), counts completed updates, and sends keys and
// pointer events. Plain C++ (no Qt), so benchmarks can use it too. Single-threaded: one caller
// drives it with pump().

#include <rfb/rfbclient.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace testsupport {

class RfbTestClient {
public:
    using Clock = std::chrono::steady_clock;

    /// A connected Unix stream socket to `path`, or -1 (errno set).
    static int connectUnix(const std::string& path)
    {
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        if (path.size() >= sizeof(address.sun_path)) {
            errno = ENAMETOOLONG;
            return -1;
        }
        std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
        int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            int saved = errno;
            ::close(fd);
            errno = saved;
            return -1;
        }
        return fd;
    }

    /// Takes `socket` (closed by the client) and runs the RFB handshake with `encodings`
    /// (libvncclient's spelling: "raw", "zrle raw", ...). Empty error when it worked.
    explicit RfbTestClient(int socket, const std::string& encodings = "raw")
        : m_encodings(encodings)
    {
        rfbClientLog = std::getenv("AIRLOCK_RFB_LOG") ? &printError : &ignoreLog;
        rfbClientErr = &printError; // what libvncclient refuses, for the test's log
        m_client = rfbGetClient(8, 3, 4);
        if (m_client == nullptr) {
            ::close(socket);
            m_error = "rfbGetClient failed";
            return;
        }
        rfbClientSetClientData(m_client, &kTag, this);
        m_client->format.redShift = 16;
        m_client->format.greenShift = 8;
        m_client->format.blueShift = 0;
        m_client->appData.encodingsString = m_encodings.c_str();
        m_client->appData.useRemoteCursor = FALSE;
        m_client->canHandleNewFBSize = FALSE;
        m_client->MallocFrameBuffer = &allocate;
        m_client->GotFrameBufferUpdate = &gotRectangle;
        m_client->FinishedFrameBufferUpdate = &finishedUpdate;
        m_client->sock = socket;
        if (!InitialiseRFBConnection(m_client)) {
            m_error = "the RFB handshake failed";
            return;
        }
        m_client->width = m_client->si.framebufferWidth;
        m_client->height = m_client->si.framebufferHeight;
        // What rfbInitClient would do: the whole frame is what incremental requests ask for.
        m_client->updateRect.x = m_client->updateRect.y = 0;
        m_client->updateRect.w = m_client->width;
        m_client->updateRect.h = m_client->height;
        if (!m_client->MallocFrameBuffer(m_client) || !SetFormatAndEncodings(m_client) ||
            !SendFramebufferUpdateRequest(m_client, 0, 0, m_client->width, m_client->height, FALSE))
            m_error = "setting up the frame failed";
    }

    ~RfbTestClient()
    {
        if (m_client != nullptr)
            rfbClientCleanup(m_client); // closes the socket
    }

    RfbTestClient(const RfbTestClient&) = delete;
    RfbTestClient& operator=(const RfbTestClient&) = delete;

    /// Empty when the connection is up.
    const std::string& error() const { return m_error; }
    int width() const { return m_client ? m_client->width : 0; }
    int height() const { return m_client ? m_client->height : 0; }
    /// The pixel at (x, y), 0x00RRGGBB.
    uint32_t pixel(int x, int y) const { return m_frame[size_t(y) * size_t(width()) + size_t(x)]; }
    /// Completed FramebufferUpdate messages so far.
    uint64_t updates() const { return m_updates; }
    /// Pixels received in rectangles so far.
    uint64_t pixelsReceived() const { return m_pixels; }

    /// Handles what the server sends for at most `timeout`, or until `done()` holds. False on a
    /// connection error (error() says which) or when `done` never held.
    bool pumpUntil(std::chrono::milliseconds timeout, const std::function<bool()>& done)
    {
        auto deadline = Clock::now() + timeout;
        while (m_error.empty()) {
            if (done && done())
                return true;
            auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
            if (left.count() <= 0)
                return false;
            int ready = WaitForMessage(m_client, static_cast<unsigned>(std::min<int64_t>(left.count(), 100000)));
            if (ready < 0)
                m_error = "waiting for the server failed";
            else if (ready > 0 && !HandleRFBServerMessage(m_client))
                m_error = "the server's message could not be handled (connection closed?)";
        }
        return false;
    }

    /// Waits for `count` more completed updates.
    bool waitForUpdates(uint64_t count, std::chrono::milliseconds timeout)
    {
        uint64_t target = m_updates + count;
        return pumpUntil(timeout, [&] { return m_updates >= target; });
    }

    bool sendKey(uint32_t keysym, bool down) { return SendKeyEvent(m_client, keysym, down ? TRUE : FALSE); }
    bool sendPointer(int x, int y, int buttons) { return SendPointerEvent(m_client, x, y, buttons); }

private:
    static inline int kTag = 0;

    static void ignoreLog(const char*, ...) {}
    static void printError(const char* format, ...)
    {
        std::va_list arguments;
        va_start(arguments, format);
        std::fputs("libvncclient: ", stderr);
        std::vfprintf(stderr, format, arguments);
        va_end(arguments);
    }

    static RfbTestClient* self(rfbClient* client)
    {
        return static_cast<RfbTestClient*>(rfbClientGetClientData(client, &kTag));
    }

    static rfbBool allocate(rfbClient* client)
    {
        RfbTestClient* me = self(client);
        if (client->width <= 0 || client->height <= 0 || client->width > 8192 || client->height > 8192)
            return FALSE;
        me->m_frame.assign(size_t(client->width) * size_t(client->height), 0);
        client->frameBuffer = reinterpret_cast<uint8_t*>(me->m_frame.data());
        return TRUE;
    }

    static void gotRectangle(rfbClient* client, int, int, int w, int h)
    {
        self(client)->m_pixels += uint64_t(w) * uint64_t(h);
    }

    static void finishedUpdate(rfbClient* client) { ++self(client)->m_updates; }

    std::string m_encodings;
    rfbClient* m_client = nullptr;
    std::vector<uint32_t> m_frame;
    std::string m_error;
    uint64_t m_updates = 0;
    uint64_t m_pixels = 0;
};

} // namespace testsupport
