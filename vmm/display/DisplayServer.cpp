#include "DisplayServer.h"

#include "KeysymMap.h"
#include "ServerLog.h"

#include <rfb/rfb.h>
extern "C" { // rfbregion.h, unlike rfb.h, has no C++ guard of its own
#include <rfb/rfbregion.h>
}

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <sys/select.h>
#include <sys/socket.h>

// The display thread runs its own loop (never rfbRunEventLoop's threads): it waits in ppoll on
// the listening sockets, the viewers' sockets and a wake-up eventfd, without a timeout unless a
// viewer is connected; then, at most maxFramesPerSecond times a second, it asks the FrameSource
// which pages changed, brings the shadow up to date and marks what changed for libvncserver,
// whose rfbProcessEvents(screen, 0) reads the viewers' messages and sends their updates.

namespace vmm {

namespace {

// What the display thread keeps per viewer (libvncserver's clientData).
struct ClientState {
    std::chrono::steady_clock::time_point connectedAt = std::chrono::steady_clock::now();
    uint32_t pendingRectangles = 0; // counted by onDisplay, added once the update is sent
    bool local = false; // on the Unix socket
};

DisplayServer* serverOf(rfbClientPtr client)
{
    // Safety: create() sets screenData to the DisplayServer that owns the screen and outlives it.
    return static_cast<DisplayServer*>(client->screen->screenData);
}

std::atomic<void (*)()> s_threadStartHook {nullptr};

} // namespace

void DisplayServer::ScreenDeleter::operator()(_rfbScreenInfo* screen) const
{
    rfbScreenCleanup(screen);
}

Result<std::unique_ptr<DisplayServer>> DisplayServer::create(
    FrameSource& source, InputSink& input, DisplayServerOptions options)
{
    if (options.maxFramesPerSecond == 0 || options.maxFramesPerSecond > 240)
        return failure(Error::invalid("display server",
            "maxFramesPerSecond " + std::to_string(options.maxFramesPerSecond) +
                " is outside 1..240"));
    if (options.tcpPort && options.tcpPassword.empty())
        return failure(Error::invalid(
            "display server", "listening on TCP needs a password (VNC authentication)"));
    ShadowFramebuffer shadow = VMM_TRY(ShadowFramebuffer::create(source.geometry()));
    EventFd wake = VMM_TRY(EventFd::create());
    ListeningSocket unixListener = VMM_TRY(ListeningSocket::createUnix(options.socketPath));
    std::optional<ListeningSocket> tcpListener;
    if (options.tcpPort)
        tcpListener = VMM_TRY(ListeningSocket::createLoopback(*options.tcpPort));
    std::unique_ptr<DisplayServer> server(new DisplayServer(source, input, std::move(options),
        std::move(shadow), std::move(wake), std::move(unixListener), std::move(tcpListener)));
    VMM_TRY(server->setUpScreen());
    return server;
}

DisplayServer::DisplayServer(FrameSource& source, InputSink& input, DisplayServerOptions options,
    ShadowFramebuffer shadow, EventFd wake, ListeningSocket unixListener,
    std::optional<ListeningSocket> tcpListener)
    : m_source(source)
    , m_input(input)
    , m_options(std::move(options))
    , m_shadow(std::move(shadow))
    , m_wake(std::move(wake))
    , m_unixListener(std::move(unixListener))
    , m_tcpListener(std::move(tcpListener))
    , m_framePeriod(
          std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::seconds(1)) /
          m_options.maxFramesPerSecond)
{
}

Result<void> DisplayServer::setUpScreen()
{
    installServerLog();
    const FramebufferGeometry& geometry = m_source.geometry();
    int arguments = 0;
    // Sizes from FramebufferGeometry::make(): at most 7680x4320, well within int.
    rfbScreenInfoPtr screen = rfbGetScreen(&arguments, nullptr, static_cast<int>(geometry.width),
        static_cast<int>(geometry.height), 8, 3, FramebufferGeometry::kBytesPerPixel);
    if (screen == nullptr)
        return failure(Error::invalid("rfbGetScreen", "libvncserver could not make a screen"));
    m_screen.reset(screen);

    // Safety: the shadow holds width * height * 4 bytes for the server's whole lifetime;
    // libvncserver only reads it (no cursor is drawn into it: cursor is NULL below).
    screen->frameBuffer = reinterpret_cast<char*>(m_shadow.data());
    screen->paddedWidthInBytes = static_cast<int>(geometry.stride);
    // XRGB8888: a little-endian 32-bit word 0x00RRGGBB.
    screen->serverFormat.bitsPerPixel = 32;
    screen->serverFormat.depth = 24;
    screen->serverFormat.bigEndian = FALSE;
    screen->serverFormat.trueColour = 1;
    screen->serverFormat.redMax = 255;
    screen->serverFormat.greenMax = 255;
    screen->serverFormat.blueMax = 255;
    screen->serverFormat.redShift = 16;
    screen->serverFormat.greenShift = 8;
    screen->serverFormat.blueShift = 0;
    screen->desktopName = m_options.desktopName.c_str();
    screen->screenData = this;

    // Listening is ours (ListeningSocket): libvncserver opens no port, HTTP or UDP socket.
    screen->port = 0;
    screen->ipv6port = 0;
    screen->udpPort = 0;
    screen->autoPort = FALSE;
    screen->httpDir = nullptr;
    screen->httpPort = 0;
    screen->http6Port = 0;
    screen->permitFileTransfer = FALSE;
    screen->alwaysShared = TRUE; // a new viewer never disconnects the others
    screen->cursor = nullptr; // the guest draws its own pointer; nothing is drawn into the shadow
    screen->deferUpdateTime = 0; // updates are paced by the frame tick, not by libvncserver
    screen->deferPtrUpdateTime = 0;
    screen->maxClientWait = kClientWaitMilliseconds;
    screen->ignoreSIGPIPE = TRUE;

    screen->kbdAddEvent = &DisplayServer::onKey;
    screen->ptrAddEvent = &DisplayServer::onPointer;
    screen->setXCutText = &DisplayServer::onCutText;
    screen->setXCutTextUTF8 = &DisplayServer::onCutText;
    screen->displayHook = &DisplayServer::onDisplay;
    screen->displayFinishedHook = &DisplayServer::onDisplayFinished;

    if (m_tcpListener) {
        // VNC authentication for TCP viewers (Unix-socket viewers skip it: see attach()).
        m_password = m_options.tcpPassword;
        m_passwordList = {m_password.data(), nullptr};
        screen->authPasswdData = m_passwordList.data();
        screen->passwordCheck = rfbCheckPasswordByList;
    }
    rfbInitServer(screen); // with no port set, this only ignores SIGPIPE
    return {};
}

DisplayServer::~DisplayServer()
{
    stop();
}

Result<void> DisplayServer::start()
{
    if (m_thread.joinable() || m_clientsClosed)
        return failure(Error::invalid("display server", "already started"));
    m_thread = std::thread([this] { run(); });
    return {};
}

void DisplayServer::setThreadStartHook(void (*hook)())
{
    s_threadStartHook = hook;
}

void DisplayServer::stop()
{
    if (m_thread.joinable()) {
        m_stopping = true;
        m_wake.signal();
        m_thread.join();
    }
    closeEveryClient();
}

void DisplayServer::closeEveryClient()
{
    if (m_clientsClosed || !m_screen)
        return;
    m_clientsClosed = true;
    rfbShutdownServer(m_screen.get(), TRUE);
}

const std::string& DisplayServer::socketPath() const
{
    return m_options.socketPath;
}

uint16_t DisplayServer::tcpPort() const
{
    return m_tcpListener ? m_tcpListener->port() : 0;
}

DisplayServer::Statistics DisplayServer::statistics() const
{
    return {m_framesSent.load(), m_rectanglesSent.load(), m_clients.load()};
}

void DisplayServer::run()
{
    ::pthread_setname_np(::pthread_self(), "airlock-display");
    if (auto hook = s_threadStartHook.load())
        hook();
    rfbScreenInfoPtr screen = m_screen.get();
    std::vector<pollfd> waits;
    while (!m_stopping.load()) {
        waits.clear();
        waits.push_back({m_wake.fd(), POLLIN, 0});
        waits.push_back({m_unixListener.fd(), POLLIN, 0});
        if (m_tcpListener)
            waits.push_back({m_tcpListener->fd(), POLLIN, 0});
        for (rfbClientPtr client = screen->clientHead; client != nullptr; client = client->next) {
            if (client->sock != RFB_INVALID_SOCKET)
                waits.push_back({client->sock, POLLIN, 0});
        }
        // No viewer: wait for one without any timeout, so an idle session costs no CPU.
        timespec timeout {};
        timespec* timeoutPointer = nullptr;
        if (m_clients.load() > 0) {
            auto left = std::max(m_nextFrame - std::chrono::steady_clock::now(),
                std::chrono::steady_clock::duration::zero());
            auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
            timeout.tv_sec = static_cast<time_t>(nanoseconds / 1000000000);
            timeout.tv_nsec = static_cast<long>(nanoseconds % 1000000000);
            timeoutPointer = &timeout;
        }
        int ready = ::ppoll(waits.data(), waits.size(), timeoutPointer, nullptr);
        if (ready < 0 && errno != EINTR) {
            serverLogError("ppoll", errno);
            return;
        }
        if (waits[0].revents != 0)
            m_wake.consume();
        if (m_stopping.load())
            break;
        if (waits[1].revents != 0)
            acceptFrom(m_unixListener, true);
        if (m_tcpListener && waits[2].revents != 0)
            acceptFrom(*m_tcpListener, false);
        if (m_clients.load() > 0 && std::chrono::steady_clock::now() >= m_nextFrame) {
            refreshFrame();
            closeSlowHandshakes();
        }
        // Reads every viewer's pending messages, sends the updates they asked for and are due,
        // and forgets viewers that left (each in onClientGone).
        rfbProcessEvents(screen, 0);
    }
}

void DisplayServer::acceptFrom(const ListeningSocket& listener, bool local)
{
    // A few per round: a flood of connections cannot keep the loop from serving its viewers.
    for (int round = 0; round < 8; ++round) {
        auto connection = listener.accept();
        if (!connection) {
            serverLogError(connection.error().message());
            return;
        }
        if (!connection->isValid())
            return;
        attach(connection->release(), local);
    }
}

void DisplayServer::attach(int connection, bool local)
{
    UniqueFd viewer(connection);
    // libvncserver keeps its sockets in fd_sets: a descriptor past FD_SETSIZE would overflow them.
    if (m_clients.load() >= kMaxClients || viewer.get() >= FD_SETSIZE)
        return; // closed at once
    // libvncserver 0.9.14 is built with WebSocket support that cannot be turned off at run time:
    // rfbNewClient() waits up to 100 ms for a new client's first four bytes and, if they are
    // "GET ", serves a WebSocket handshake. An RFB viewer sends nothing before the server's
    // greeting, so rfbNewClient() is given one end of a socket pair that already holds "RFB ",
    // which it takes for a plain viewer (at once, without waiting); the viewer's own socket then
    // takes that descriptor's number, and the greeting rfbNewClient() wrote is passed on. The
    // viewer's bytes are only ever read by the RFB protocol code: an HTTP request gets no service
    // (it fails the version check and the viewer is closed).
    int pair[2] = {-1, -1};
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        serverLogError("socketpair", errno);
        return;
    }
    UniqueFd greeting(pair[1]);
    if (pair[0] >= FD_SETSIZE || ::write(pair[1], "RFB ", 4) != 4) {
        ::close(pair[0]);
        return;
    }
    rfbClientPtr client = rfbNewClient(m_screen.get(), pair[0]); // owns pair[0] from here
    if (client == nullptr)
        return;
    client->clientData = new ClientState {.local = local};
    client->clientGoneHook = &DisplayServer::onClientGone;
    // Unix-socket viewers are trusted by the socket's place (the session's private folder) and
    // need no password; libvncserver asks none of a "reverse connection" (auth.c).
    client->reverseConnection = local ? TRUE : FALSE;
    m_clients.fetch_add(1);
    if (!local) {
        int one = 1;
        ::setsockopt(viewer.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (::dup3(viewer.get(), client->sock, O_CLOEXEC) < 0) {
        serverLogError("dup3", errno);
        rfbCloseClient(client); // forgotten (onClientGone) by the next rfbProcessEvents
        return;
    }
    char protocolVersion[64];
    ssize_t length = ::recv(greeting.get(), protocolVersion, sizeof protocolVersion, MSG_DONTWAIT);
    if (length <= 0 ||
        ::send(client->sock, protocolVersion, static_cast<size_t>(length), MSG_NOSIGNAL) !=
            length) {
        rfbCloseClient(client);
        return;
    }
    // The first frame a viewer gets is the current screen, not the shadow of the last tick.
    m_nextFrame = std::chrono::steady_clock::now();
}

void DisplayServer::closeSlowHandshakes()
{
    // A connection that has not finished the handshake (version, authentication, init) in time
    // is closed: otherwise kMaxClients idle connections would keep every viewer out.
    auto deadline =
        std::chrono::steady_clock::now() - std::chrono::milliseconds(kHandshakeMilliseconds);
    for (rfbClientPtr client = m_screen->clientHead; client != nullptr; client = client->next) {
        auto* state = static_cast<ClientState*>(client->clientData);
        if (state != nullptr && client->sock != RFB_INVALID_SOCKET &&
            client->state != _rfbClientRec::RFB_NORMAL && state->connectedAt < deadline)
            rfbCloseClient(client); // forgotten by the next rfbProcessEvents
    }
}

void DisplayServer::refreshFrame()
{
    m_nextFrame = std::chrono::steady_clock::now() + m_framePeriod;
    auto collected = m_source.collectDirtyPages(m_shadow.dirtyPages());
    if (!collected) {
        serverLogError(collected.error().message());
        m_shadow.markAllDirty(); // compare everything rather than miss a change
    }
    for (const ShadowFramebuffer::Rectangle& changed : m_shadow.update(m_source.pixels())) {
        // Sizes within the geometry: each fits an int.
        rfbMarkRectAsModified(m_screen.get(), static_cast<int>(changed.x),
            static_cast<int>(changed.y), static_cast<int>(changed.x + changed.width),
            static_cast<int>(changed.y + changed.height));
    }
}

void DisplayServer::onKey(signed char down, uint32_t keysym, _rfbClientRec* client)
{
    DisplayServer* server = serverOf(client);
    std::optional<uint16_t> code = evdevCodeForKeysym(keysym);
    if (!code) {
        server->m_unknownKeysyms.fetch_add(1);
        return;
    }
    server->m_input.key(*code, down != 0);
}

void DisplayServer::onPointer(int buttons, int x, int y, _rfbClientRec* client)
{
    DisplayServer* server = serverOf(client);
    const FramebufferGeometry& geometry = server->m_source.geometry();
    auto clamp = [](int value, uint32_t size) {
        return static_cast<uint32_t>(std::clamp<int64_t>(value, 0, int64_t {size} - 1));
    };
    constexpr uint32_t known = InputSink::kButtonLeft | InputSink::kButtonMiddle |
        InputSink::kButtonRight | InputSink::kWheelUp | InputSink::kWheelDown;
    server->m_input.pointer(clamp(x, geometry.width), clamp(y, geometry.height),
        static_cast<uint32_t>(buttons) & known);
}

void DisplayServer::onCutText(char*, int, _rfbClientRec*)
{
    // No clipboard: a viewer's cut text goes nowhere.
}

void DisplayServer::onDisplay(_rfbClientRec* client)
{
    // The server sends Raw or ZRLE only (and CopyRect, which it never schedules): any other
    // encoding a viewer prefers (Tight, Hextile, ...) is served as Raw. ZRLE only on TCP: over
    // the Unix socket it costs ten times the CPU of Raw and delivers fewer frames (measured in
    // tst_display_server: 1280x800 changing at every tick, 11.5 fps against 30).
    auto* state = static_cast<ClientState*>(client->clientData);
    if (client->preferredEncoding != rfbEncodingZRLE || state == nullptr || state->local)
        client->preferredEncoding = rfbEncodingRaw;
    if (state == nullptr)
        return;
    sraRegionPtr update = sraRgnCreateRgn(client->modifiedRegion);
    sraRgnAnd(update, client->requestedRegion);
    state->pendingRectangles =
        static_cast<uint32_t>(std::min<unsigned long>(sraRgnCountRects(update), UINT32_MAX));
    sraRgnDestroy(update);
}

void DisplayServer::onDisplayFinished(_rfbClientRec* client, int result)
{
    auto* state = static_cast<ClientState*>(client->clientData);
    if (state == nullptr || !result)
        return;
    DisplayServer* server = serverOf(client);
    server->m_framesSent.fetch_add(1);
    server->m_rectanglesSent.fetch_add(state->pendingRectangles);
    state->pendingRectangles = 0;
}

void DisplayServer::onClientGone(_rfbClientRec* client)
{
    delete static_cast<ClientState*>(client->clientData);
    client->clientData = nullptr;
    serverOf(client)->m_clients.fetch_sub(1);
}

} // namespace vmm
