#pragma once

#include "FrameSource.h"
#include "InputSink.h"
#include "ListeningSocket.h"
#include "ShadowFramebuffer.h"
#include "sys/EventFd.h"
#include "sys/Result.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

struct _rfbScreenInfo;
struct _rfbClientRec;

namespace vmm {

/// How a DisplayServer listens and paces its updates.
struct DisplayServerOptions {
    std::string socketPath; ///< Unix socket to listen on; bound by create() (a stale socket file is
                            ///< replaced)
    std::optional<uint16_t> tcpPort; ///< also listen on 127.0.0.1:port (0: any free port); only
                                     ///< when the user enabled it
    std::string tcpPassword; ///< required with tcpPort: VNC authentication
    uint32_t maxFramesPerSecond = 30; ///< updates are coalesced to at most this rate
    std::string desktopName = "Airlock session";
};

/// The session's VNC server (libvncserver, RFB 3.8) on its own display thread: serves a
/// FrameSource's pixels through a shadow copy, sending only the rectangles that changed, at most
/// maxFramesPerSecond times a second and only while a viewer is connected (an idle session costs
/// no CPU), and hands viewers' keys and pointer to an InputSink. Viewers are untrusted: at most
/// kMaxClients at once, a viewer that stops reading is dropped after kClientWaitMilliseconds, no
/// clipboard, no file transfer, no HTTP or WebSocket service; the server sends Raw or ZRLE.
class DisplayServer {
public:
    /// What the server has sent so far.
    struct Statistics {
        uint64_t framesSent = 0;
        uint64_t rectanglesSent = 0;
        uint32_t clients = 0;
    };

    /// Viewers served at once; one more is closed as soon as it is accepted.
    static constexpr uint32_t kMaxClients = 4;
    /// How long a write to (or a read of a started message from) a viewer may wait.
    static constexpr int kClientWaitMilliseconds = 2000;
    /// How long a connection may take to finish the RFB handshake before it is closed.
    static constexpr int kHandshakeMilliseconds = 5000;

    /// Binds the listening sockets and prepares libvncserver; serves nothing until start().
    static Result<std::unique_ptr<DisplayServer>> create(
        FrameSource& source, InputSink& input, DisplayServerOptions options);
    /// stop().
    ~DisplayServer();

    DisplayServer(const DisplayServer&) = delete;
    DisplayServer& operator=(const DisplayServer&) = delete;

    /// Starts the display thread.
    Result<void> start();
    /// Ends the display thread and closes every viewer; idempotent.
    void stop();
    /// The Unix socket's path.
    const std::string& socketPath() const;
    /// The loopback TCP port listened on; 0 without TCP.
    uint16_t tcpPort() const;
    /// Frames and rectangles sent, viewers connected; from any thread.
    Statistics statistics() const;
    /// Keysyms received that have no evdev key (dropped).
    uint64_t unknownKeysyms() const { return m_unknownKeysyms.load(); }
    /// Runs first on every display thread as it starts (airlock-vmm installs ThreadKind::Display's
    /// seccomp filter there). Set once, before any server starts.
    static void setThreadStartHook(void (*hook)());

private:
    struct ScreenDeleter {
        void operator()(_rfbScreenInfo* screen) const;
    };

    DisplayServer(FrameSource& source, InputSink& input, DisplayServerOptions options,
        ShadowFramebuffer shadow, EventFd wake, ListeningSocket unixListener,
        std::optional<ListeningSocket> tcpListener);
    Result<void> setUpScreen();
    void run();
    void acceptFrom(const ListeningSocket& listener, bool local);
    void attach(int connection, bool local);
    void refreshFrame();
    void closeSlowHandshakes();
    void closeEveryClient();

    // libvncserver's hooks (C function pointers); the server is the screen's screenData.
    static void onKey(signed char down, uint32_t keysym, _rfbClientRec* client);
    static void onPointer(int buttons, int x, int y, _rfbClientRec* client);
    static void onCutText(char* text, int length, _rfbClientRec* client);
    static void onDisplay(_rfbClientRec* client);
    static void onDisplayFinished(_rfbClientRec* client, int result);
    static void onClientGone(_rfbClientRec* client);

    FrameSource& m_source;
    InputSink& m_input;
    DisplayServerOptions m_options;
    ShadowFramebuffer m_shadow;
    EventFd m_wake;
    ListeningSocket m_unixListener;
    std::optional<ListeningSocket> m_tcpListener;
    std::unique_ptr<_rfbScreenInfo, ScreenDeleter> m_screen;
    std::string m_password; // the storage behind m_passwordList
    std::vector<char*> m_passwordList; // libvncserver's NULL-terminated list
    std::chrono::steady_clock::duration m_framePeriod;
    std::chrono::steady_clock::time_point m_nextFrame;
    bool m_clientsClosed = false;

    std::thread m_thread;
    std::atomic<bool> m_stopping {false};
    std::atomic<uint64_t> m_framesSent {0};
    std::atomic<uint64_t> m_rectanglesSent {0};
    std::atomic<uint32_t> m_clients {0};
    std::atomic<uint64_t> m_unknownKeysyms {0};
};

} // namespace vmm
