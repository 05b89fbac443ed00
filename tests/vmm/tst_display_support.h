#pragma once

// Test doubles for the display server: a FrameSource over a plain buffer the test changes, an
// InputSink that records, and a VNC viewer (libvncclient) the test drives by hand.

#include "display/FrameSource.h"
#include "display/InputSink.h"

#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <netinet/in.h>
#include <rfb/rfbclient.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <sys/socket.h>
#include <sys/un.h>

namespace displaytest {

/// A FrameSource over a buffer: write() changes pixels and marks their pages dirty.
class PlainFrameSource : public vmm::FrameSource {
public:
    explicit PlainFrameSource(const vmm::FramebufferGeometry& geometry)
        : m_geometry(geometry)
        , m_pixels(geometry.regionBytes(), 0)
        , m_dirty((geometry.regionBytes() / 4096 + 63) / 64, ~uint64_t {0})
    {
    }

    const vmm::FramebufferGeometry& geometry() const override { return m_geometry; }
    std::span<const uint8_t> pixels() const override
    {
        return {m_pixels.data(), m_geometry.pixelBytes()};
    }
    vmm::Result<void> collectDirtyPages(std::span<uint64_t> dirty) override
    {
        std::lock_guard lock(m_mutex);
        ++m_collections;
        if (m_beforeCollect)
            m_beforeCollect();
        for (size_t i = 0; i < m_dirty.size() && i < dirty.size(); ++i)
            dirty[i] |= std::exchange(m_dirty[i], 0);
        return {};
    }

    /// Sets the pixel at (x, y) to `value` (0x00RRGGBB) and marks its page.
    void setPixel(uint32_t x, uint32_t y, uint32_t value)
    {
        std::lock_guard lock(m_mutex);
        writeLocked(x, y, value);
    }
    /// Fills a rectangle.
    void fill(uint32_t x, uint32_t y, uint32_t width, uint32_t height, uint32_t value)
    {
        std::lock_guard lock(m_mutex);
        for (uint32_t row = y; row < y + height; ++row)
            for (uint32_t column = x; column < x + width; ++column)
                writeLocked(column, row, value);
    }
    /// Marks pages dirty without changing a byte (a guest rewriting what was there).
    void touchPage(uint64_t page)
    {
        std::lock_guard lock(m_mutex);
        m_dirty[page / 64] |= uint64_t {1} << (page % 64);
    }
    uint32_t pixel(uint32_t x, uint32_t y) const
    {
        uint32_t value = 0;
        std::memcpy(&value, m_pixels.data() + offset(x, y), 4);
        return value;
    }
    /// Runs on the display thread at each collection (an animating "guest"), under the lock.
    void setBeforeCollect(std::function<void()> action)
    {
        std::lock_guard lock(m_mutex);
        m_beforeCollect = std::move(action);
    }
    /// Writes without locking or marking (for setBeforeCollect's action).
    uint8_t* rawPixels() { return m_pixels.data(); }
    void markAllLocked() { std::fill(m_dirty.begin(), m_dirty.end(), ~uint64_t {0}); }
    uint64_t collections()
    {
        std::lock_guard lock(m_mutex);
        return m_collections;
    }

private:
    uint64_t offset(uint32_t x, uint32_t y) const
    {
        return uint64_t {y} * m_geometry.stride + x * 4ull;
    }
    void writeLocked(uint32_t x, uint32_t y, uint32_t value)
    {
        uint64_t at = offset(x, y);
        std::memcpy(m_pixels.data() + at, &value, 4);
        m_dirty[at / 4096 / 64] |= uint64_t {1} << (at / 4096 % 64);
    }

    vmm::FramebufferGeometry m_geometry;
    std::vector<uint8_t> m_pixels;
    std::vector<uint64_t> m_dirty;
    std::function<void()> m_beforeCollect;
    uint64_t m_collections = 0;
    std::mutex m_mutex;
};

/// An InputSink that records every event.
class RecordingInputSink : public vmm::InputSink {
public:
    struct Key {
        uint16_t code;
        bool down;
    };
    struct Pointer {
        uint32_t x, y, buttons;
    };
    void key(uint16_t code, bool down) override
    {
        std::lock_guard lock(m_mutex);
        m_keys.push_back({code, down});
    }
    void pointer(uint32_t x, uint32_t y, uint32_t buttons) override
    {
        std::lock_guard lock(m_mutex);
        m_pointers.push_back({x, y, buttons});
    }
    std::vector<Key> keys()
    {
        std::lock_guard lock(m_mutex);
        return m_keys;
    }
    std::vector<Pointer> pointers()
    {
        std::lock_guard lock(m_mutex);
        return m_pointers;
    }

private:
    std::mutex m_mutex;
    std::vector<Key> m_keys;
    std::vector<Pointer> m_pointers;
};

/// A connected Unix stream socket to `path`, or -1.
inline int connectUnix(const std::string& path)
{
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof(address.sun_path))
        return -1;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // Safety: address is a sockaddr_un of sizeof(address) bytes.
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// A connected TCP socket to 127.0.0.1:`port`, or -1.
inline int connectLoopback(uint16_t port)
{
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // Safety: address is a sockaddr_in of sizeof(address) bytes.
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// A VNC viewer on a socket the test opened: runs the handshake (with `password` if the server
/// asks), keeps the frame as 0x00RRGGBB words, counts updates and cut texts received.
class Viewer {
public:
    using Clock = std::chrono::steady_clock;

    Viewer(int socket, const std::string& encodings = "raw", const std::string& password = {})
        : m_encodings(encodings)
        , m_password(password)
    {
        rfbClientLog = rfbClientErr = &ignoreLog;
        m_client = rfbGetClient(8, 3, 4);
        if (m_client == nullptr || socket < 0) {
            if (socket >= 0)
                ::close(socket);
            m_error = "no client or no socket";
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
        m_client->GotXCutText = &gotCutText;
        m_client->GetPassword = &passwordFor;
        m_client->sock = socket;
        if (!InitialiseRFBConnection(m_client)) {
            m_error = "the RFB handshake failed";
            return;
        }
        m_client->width = m_client->si.framebufferWidth;
        m_client->height = m_client->si.framebufferHeight;
        // What the incremental requests after each update ask for (rfbInitClient's job).
        m_client->updateRect.x = 0;
        m_client->updateRect.y = 0;
        m_client->updateRect.w = m_client->width;
        m_client->updateRect.h = m_client->height;
        if (!m_client->MallocFrameBuffer(m_client) || !SetFormatAndEncodings(m_client) ||
            !SendFramebufferUpdateRequest(m_client, 0, 0, m_client->width, m_client->height, FALSE))
            m_error = "setting up the frame failed";
    }
    ~Viewer()
    {
        if (m_client != nullptr)
            rfbClientCleanup(m_client); // closes the socket
    }
    Viewer(const Viewer&) = delete;
    Viewer& operator=(const Viewer&) = delete;

    const std::string& error() const { return m_error; }
    bool ok() const { return m_error.empty(); }
    int width() const { return m_client ? m_client->width : 0; }
    int height() const { return m_client ? m_client->height : 0; }
    uint32_t pixel(int x, int y) const
    {
        return m_frame[size_t(y) * size_t(width()) + size_t(x)] & 0x00ffffff;
    }
    /// Completed updates that carried pixels.
    uint64_t updates() const { return m_updates; }
    /// Every FramebufferUpdate message received.
    uint64_t allUpdates() const { return m_allUpdates; }
    uint64_t cutTexts() const { return m_cutTexts; }
    rfbClient* client() { return m_client; }

    /// Handles what the server sends until `done()` holds or `timeout` passes.
    bool pumpUntil(std::chrono::milliseconds timeout, const std::function<bool()>& done = {})
    {
        auto deadline = Clock::now() + timeout;
        while (m_error.empty()) {
            if (done && done())
                return true;
            auto left =
                std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now());
            if (left.count() <= 0)
                return false;
            int ready = WaitForMessage(
                m_client, static_cast<unsigned>(std::min<int64_t>(left.count(), 50000)));
            if (ready < 0)
                m_error = "waiting for the server failed";
            else if (ready > 0 && !HandleRFBServerMessage(m_client))
                m_error = "the connection ended";
        }
        return false;
    }
    /// Waits for `count` more completed updates.
    bool waitForUpdates(uint64_t count, std::chrono::milliseconds timeout)
    {
        uint64_t target = m_updates + count;
        return pumpUntil(timeout, [&] { return m_updates >= target; });
    }
    bool sendKey(uint32_t keysym, bool down)
    {
        return SendKeyEvent(m_client, keysym, down ? TRUE : FALSE);
    }
    bool sendPointer(int x, int y, int buttons)
    {
        return SendPointerEvent(m_client, x, y, buttons);
    }

private:
    static inline int kTag = 0;
    static void ignoreLog(const char*, ...) { }
    static Viewer* self(rfbClient* client)
    {
        return static_cast<Viewer*>(rfbClientGetClientData(client, &kTag));
    }
    static rfbBool allocate(rfbClient* client)
    {
        if (client->width <= 0 || client->height <= 0 || client->width > 8192 ||
            client->height > 8192)
            return FALSE;
        Viewer* me = self(client);
        me->m_frame.assign(size_t(client->width) * size_t(client->height), 0);
        // Safety: m_frame holds width * height 32-bit pixels, libvncclient's frame at 32 bpp.
        client->frameBuffer = reinterpret_cast<uint8_t*>(me->m_frame.data());
        return TRUE;
    }
    static void gotRectangle(rfbClient* client, int, int, int, int)
    {
        ++self(client)->m_rectangles;
    }
    static void finishedUpdate(rfbClient* client)
    {
        // An update of pseudo-rectangles only (the ExtendedDesktopSize reply libvncserver sends
        // first) carries no pixels: count it apart.
        Viewer* me = self(client);
        ++me->m_allUpdates;
        if (std::exchange(me->m_rectangles, 0) > 0)
            ++me->m_updates;
    }
    static void gotCutText(rfbClient* client, const char*, int) { ++self(client)->m_cutTexts; }
    static char* passwordFor(rfbClient* client)
    {
        return ::strdup(self(client)->m_password.c_str());
    }

    std::string m_encodings;
    std::string m_password;
    rfbClient* m_client = nullptr;
    std::vector<uint32_t> m_frame;
    std::string m_error;
    uint64_t m_updates = 0;
    uint64_t m_allUpdates = 0;
    uint64_t m_rectangles = 0;
    uint64_t m_cutTexts = 0;
};

} // namespace displaytest

#include <dirent.h>
#include <fstream>
#include <sstream>

namespace displaytest {

/// CPU time (in milliseconds) of the threads named `name` in this process, from
/// /proc/self/task/*/schedstat (nanoseconds) or else stat (clock ticks of 10 ms); -1 when none.
inline double threadCpuMilliseconds(const std::string& name)
{
    DIR* tasks = ::opendir("/proc/self/task");
    if (tasks == nullptr)
        return -1;
    double total = -1;
    while (dirent* entry = ::readdir(tasks)) {
        if (entry->d_name[0] == '.')
            continue;
        std::string base = std::string("/proc/self/task/") + entry->d_name;
        std::ifstream comm(base + "/comm");
        std::string threadName;
        std::getline(comm, threadName);
        if (threadName != name)
            continue;
        // schedstat's first field is the time on CPU in nanoseconds (when the kernel keeps it).
        std::ifstream schedstat(base + "/schedstat");
        unsigned long long nanoseconds = 0;
        if (schedstat >> nanoseconds) {
            total = std::max(total, 0.0) + double(nanoseconds) / 1e6;
            continue;
        }
        std::ifstream statFile(base + "/stat");
        std::string stat;
        std::getline(statFile, stat);
        size_t close = stat.rfind(')');
        if (close == std::string::npos)
            continue;
        std::istringstream fields(stat.substr(close + 2));
        std::string field;
        unsigned long long user = 0;
        unsigned long long system = 0;
        // After the name: state is field 3; utime and stime are fields 14 and 15.
        for (int index = 3; index <= 15 && fields >> field; ++index) {
            if (index == 14)
                user = std::stoull(field);
            if (index == 15)
                system = std::stoull(field);
        }
        total =
            std::max(total, 0.0) + double(user + system) * 1000.0 / double(::sysconf(_SC_CLK_TCK));
    }
    ::closedir(tasks);
    return total;
}

/// The inodes of the sockets this process has open.
inline std::vector<std::string> ownSocketInodes()
{
    std::vector<std::string> inodes;
    DIR* fds = ::opendir("/proc/self/fd");
    if (fds == nullptr)
        return inodes;
    while (dirent* entry = ::readdir(fds)) {
        char target[256] = {};
        std::string link = std::string("/proc/self/fd/") + entry->d_name;
        ssize_t length = ::readlink(link.c_str(), target, sizeof target - 1);
        std::string text(target, length > 0 ? size_t(length) : 0);
        if (text.rfind("socket:[", 0) == 0)
            inodes.push_back(text.substr(8, text.size() - 9));
    }
    ::closedir(fds);
    return inodes;
}

/// The inodes of TCP sockets listening on this machine (IPv4 and IPv6), from /proc/net.
inline std::vector<std::string> listeningTcpInodes()
{
    std::vector<std::string> inodes;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream file(table);
        std::string line;
        std::getline(file, line); // header
        while (std::getline(file, line)) {
            std::istringstream fields(line);
            std::vector<std::string> columns;
            for (std::string column; fields >> column;)
                columns.push_back(column);
            if (columns.size() > 9 && columns[3] == "0A") // TCP_LISTEN
                inodes.push_back(columns[9]);
        }
    }
    return inodes;
}

} // namespace displaytest
