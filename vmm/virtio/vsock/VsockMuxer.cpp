#include "VsockMuxer.h"

#include "VsockUnixSocket.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <unistd.h>

#include <sys/epoll.h>
#include <sys/timerfd.h>

namespace vmm {

namespace {

using namespace vsock;

// "CONNECT <port>\n" (Firecracker's hybrid vsock protocol); the port is decimal, 32 bits.
std::optional<uint32_t> parseConnectLine(std::string_view line)
{
    constexpr std::string_view prefix = "CONNECT ";
    if (!line.starts_with(prefix) || !line.ends_with('\n'))
        return std::nullopt;
    std::string_view digits = line.substr(prefix.size(), line.size() - prefix.size() - 1);
    uint32_t port = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size())
        return std::nullopt;
    return port;
}

} // namespace

VsockMuxer::VsockMuxer(EventLoop& loop, std::mutex& mutex, std::string udsPath,
    const VsockConnectionSettings& settings, size_t maxConnections,
    std::function<void()> onRxPending)
    : m_loop(loop)
    , m_mutex(mutex)
    , m_path(std::move(udsPath))
    , m_settings(settings)
    , m_maxConnections(maxConnections)
    , m_onRxPending(std::move(onRxPending))
{
}

VsockMuxer::~VsockMuxer()
{
    // On the loop's thread or after it stopped (like MmioTransport): no callback runs meanwhile.
    for (auto& [serial, client] : m_pendingClients)
        m_loop.remove(client.fd.get());
    for (auto& [key, entry] : m_connections)
        m_loop.remove(entry.connection.hostFd());
    for (UniqueFd& fd : m_graveyard)
        m_loop.remove(fd.get());
    if (m_timer.isValid())
        m_loop.remove(m_timer.get());
    if (m_listener.isValid()) {
        m_loop.remove(m_listener.get());
        ::unlink(m_path.c_str());
    }
}

Result<void> VsockMuxer::start()
{
    m_timer = UniqueFd(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!m_timer.isValid())
        return failure(Error::fromErrno("timerfd_create", errno));
    VMM_TRY(m_loop.add(m_timer.get(), EPOLLIN, [this](uint32_t) { onTimer(); }));
    UniqueFd listener = VMM_TRY(listenUnix(m_path));
    int fd = listener.get();
    m_listener = std::move(listener); // from here on the destructor unlinks the path
    VMM_TRY(m_loop.add(fd, EPOLLIN, [this](uint32_t) { onListenerReadable(); }));
    return {};
}

VsockStats VsockMuxer::stats() const
{
    VsockStats stats;
    stats.connectionsOpen = m_connectionsOpen.load(std::memory_order_relaxed);
    stats.connectionsOpened = m_connectionsOpened.load(std::memory_order_relaxed);
    stats.connectionsRefused = m_connectionsRefused.load(std::memory_order_relaxed);
    stats.bytesToGuest = m_bytesToGuest.load(std::memory_order_relaxed);
    stats.bytesFromGuest = m_bytesFromGuest.load(std::memory_order_relaxed);
    return stats;
}

void VsockMuxer::publishOpen()
{
    m_connectionsOpen.store(m_connections.size(), std::memory_order_relaxed);
}

void VsockMuxer::notifyRx()
{
    if (hasPendingRx())
        m_onRxPending();
}

// --- host clients ----------------------------------------------------------------------------

void VsockMuxer::onListenerReadable()
{
    std::lock_guard lock(m_mutex);
    for (int accepted = 0; accepted < kAcceptsPerEvent; ++accepted) {
        auto client = acceptUnix(m_listener.get());
        if (!client || !*client)
            return; // none waiting (or a transient accept error: the loop comes back)
        if (count() >= m_maxConnections) {
            m_connectionsRefused.fetch_add(1, std::memory_order_relaxed);
            continue; // closing it tells the client
        }
        uint64_t serial = m_nextSerial++;
        int fd = (*client)->get();
        auto added = m_loop.add(
            fd, EPOLLIN, [this, serial](uint32_t events) { onPendingClient(serial, events); });
        if (!added)
            continue;
        auto deadline = VsockConnection::Clock::now() + m_settings.connectTimeout;
        m_pendingClients.emplace(serial, PendingClient {std::move(**client), {}, deadline});
        armTimer(true);
    }
}

void VsockMuxer::onPendingClient(uint64_t serial, uint32_t events)
{
    std::lock_guard lock(m_mutex);
    auto found = m_pendingClients.find(serial);
    if (found == m_pendingClients.end())
        return;
    PendingClient& client = found->second;
    // One byte at a time, so that nothing after the line is taken from the socket.
    while (client.line.size() < kMaxConnectLine) {
        char byte = 0;
        ssize_t count = ::read(client.fd.get(), &byte, 1);
        if (count < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (events & (EPOLLHUP | EPOLLERR))
                break; // it will never finish the line
            return;
        }
        if (count <= 0)
            break;
        client.line.push_back(byte);
        if (byte != '\n')
            continue;
        if (auto port = parseConnectLine(client.line)) {
            promote(serial, *port);
            notifyRx();
            return;
        }
        break;
    }
    m_connectionsRefused.fetch_add(1, std::memory_order_relaxed);
    dropPendingClient(serial);
}

void VsockMuxer::dropPendingClient(uint64_t serial)
{
    auto found = m_pendingClients.find(serial);
    if (found == m_pendingClients.end())
        return;
    m_loop.remove(found->second.fd.get());
    m_pendingClients.erase(found); // closes it
}

void VsockMuxer::promote(uint64_t serial, uint32_t peerPort)
{
    auto found = m_pendingClients.find(serial);
    UniqueFd fd = std::move(found->second.fd);
    m_loop.remove(fd.get());
    m_pendingClients.erase(found);
    uint32_t localPort = allocateLocalPort(peerPort);
    insert(keyOf(localPort, peerPort),
        VsockConnection::hostInitiated(std::move(fd), localPort, peerPort, m_settings));
}

uint32_t VsockMuxer::allocateLocalPort(uint32_t peerPort)
{
    // At most maxConnections ports are taken, so this ends within that many steps.
    for (;;) {
        uint32_t port = m_nextLocalPort;
        m_nextLocalPort = m_nextLocalPort == UINT32_MAX - 1 ? kFirstLocalPort : m_nextLocalPort + 1;
        if (!m_connections.contains(keyOf(port, peerPort)))
            return port;
    }
}

// --- connections -----------------------------------------------------------------------------

void VsockMuxer::insert(uint64_t key, VsockConnection connection)
{
    uint64_t serial = m_nextSerial++;
    m_connections.emplace(key, Entry {std::move(connection), serial});
    m_keyBySerial.emplace(serial, key);
    m_connectionsOpened.fetch_add(1, std::memory_order_relaxed);
    publishOpen();
    refresh(key);
}

void VsockMuxer::watch(Entry& entry)
{
    VsockConnection& connection = entry.connection;
    int fd = connection.hostFd();
    if (fd < 0)
        return;
    std::optional<uint32_t> wanted =
        connection.needsHost() ? connection.wantedEvents() : std::nullopt;
    if (!wanted) {
        if (entry.watched)
            m_loop.remove(fd);
        entry.watched = false;
        if (!connection.needsHost())
            connection.releaseHost();
        return;
    }
    if (!entry.watched) {
        uint64_t serial = entry.serial;
        auto added = m_loop.add(fd, *wanted,
            [this, serial, fd](uint32_t events) { onConnectionEvent(serial, fd, events); });
        if (!added) {
            connection.kill();
            connection.releaseHost();
            return;
        }
        entry.watched = true;
        entry.events = *wanted;
    } else if (entry.events != *wanted) {
        if (m_loop.modify(fd, *wanted))
            entry.events = *wanted;
    }
}

void VsockMuxer::refresh(uint64_t key)
{
    auto found = m_connections.find(key);
    if (found == m_connections.end())
        return;
    Entry& entry = found->second;
    watch(entry);
    if (entry.connection.state() == VsockConnection::State::Finished) {
        if (entry.watched)
            m_loop.remove(entry.connection.hostFd());
        m_keyBySerial.erase(entry.serial);
        m_connections.erase(found); // closes the host socket if still open
        publishOpen();
        return;
    }
    if (entry.connection.hasPendingRx() && !entry.queued) {
        m_rxQueue.push_back(QueuedConnection {key, entry.serial});
        entry.queued = true;
    }
    if (entry.connection.deadline())
        armTimer(true);
}

void VsockMuxer::onConnectionEvent(uint64_t serial, int fd, uint32_t events)
{
    std::lock_guard lock(m_mutex);
    auto key = m_keyBySerial.find(serial);
    if (key == m_keyBySerial.end()) {
        // Gone by a reset whose cleanup has not run yet: the fd is still open in m_graveyard
        // (every other path stops watching a socket before closing it).
        m_loop.remove(fd);
        return;
    }
    uint64_t connectionKey = key->second;
    m_connections.at(connectionKey).connection.handleHostEvents(events);
    refresh(connectionKey);
    notifyRx();
}

void VsockMuxer::onTimer()
{
    std::lock_guard lock(m_mutex);
    uint64_t expirations = 0;
    if (::read(m_timer.get(), &expirations, sizeof expirations) < 0 && errno != EAGAIN)
        return;
    auto now = VsockConnection::Clock::now();
    std::vector<uint64_t> expired;
    for (auto& [serial, client] : m_pendingClients) {
        if (client.deadline <= now)
            expired.push_back(serial);
    }
    for (uint64_t serial : expired) {
        m_connectionsRefused.fetch_add(1, std::memory_order_relaxed);
        dropPendingClient(serial);
    }
    expired.clear();
    bool waiting = !m_pendingClients.empty();
    for (auto& [key, entry] : m_connections) {
        auto deadline = entry.connection.deadline();
        if (deadline && *deadline <= now)
            expired.push_back(key);
        else if (deadline)
            waiting = true;
    }
    for (uint64_t key : expired) {
        m_connections.at(key).connection.kill(); // RST if the guest knew of it
        refresh(key);
    }
    armTimer(waiting);
    notifyRx();
}

void VsockMuxer::armTimer(bool armed)
{
    if (armed == m_timerArmed)
        return;
    auto shortest = std::min(m_settings.connectTimeout, m_settings.shutdownTimeout);
    auto tick = std::clamp<std::chrono::milliseconds>(
        shortest / 4, std::chrono::milliseconds(10), std::chrono::milliseconds(250));
    itimerspec spec {};
    if (armed) {
        spec.it_value.tv_nsec = static_cast<long>(tick.count()) * 1'000'000;
        spec.it_interval = spec.it_value;
    }
    if (::timerfd_settime(m_timer.get(), 0, &spec, nullptr) == 0)
        m_timerArmed = armed;
}

// --- the guest side --------------------------------------------------------------------------

void VsockMuxer::handleGuestPacket(const VsockHeader& header, const DescriptorChain& chain)
{
    uint64_t key = keyOf(header.dstPort, header.srcPort);
    auto found = m_connections.find(key);
    if (header.op == kOpRequest) {
        if (found != m_connections.end()) {
            m_log.report("REQUEST for a connection that exists");
            found->second.connection.kill();
            refresh(key);
            return;
        }
        connectGuest(header);
        return;
    }
    if (found == m_connections.end()) {
        if (header.op != kOpRst) // §5.10.6.4: never answer an RST with an RST
            replyRst(header);
        return;
    }
    uint32_t taken = found->second.connection.handleGuestPacket(header, chain);
    m_bytesFromGuest.fetch_add(taken, std::memory_order_relaxed);
    refresh(key);
}

void VsockMuxer::connectGuest(const VsockHeader& request)
{
    if (count() >= m_maxConnections) {
        m_connectionsRefused.fetch_add(1, std::memory_order_relaxed);
        replyRst(request);
        return;
    }
    auto host = connectUnix(m_path + "_" + std::to_string(request.dstPort));
    if (!host) {
        m_connectionsRefused.fetch_add(1, std::memory_order_relaxed);
        replyRst(request);
        return;
    }
    insert(keyOf(request.dstPort, request.srcPort),
        VsockConnection::guestInitiated(std::move(*host), request, m_settings));
}

void VsockMuxer::replyRst(const VsockHeader& packet)
{
    if (m_orphanReplies.size() >= kMaxOrphanReplies) {
        m_log.report("too many packets for unknown connections; RST dropped");
        return;
    }
    VsockHeader reply;
    reply.srcCid = kHostCid;
    reply.dstCid = m_settings.guestCid;
    reply.srcPort = packet.dstPort;
    reply.dstPort = packet.srcPort;
    reply.type = kTypeStream;
    reply.op = kOpRst;
    reply.bufAlloc = m_settings.bufferBytes;
    m_orphanReplies.push_back(reply);
}

std::optional<VsockRxPacket> VsockMuxer::fillRx(const DescriptorChain& chain)
{
    if (!m_orphanReplies.empty()) {
        m_orphanReplies.front().writeTo(chain);
        m_orphanReplies.pop_front();
        return VsockRxPacket {static_cast<uint32_t>(VsockHeader::kSize), 0};
    }
    while (!m_rxQueue.empty()) {
        QueuedConnection next = m_rxQueue.front();
        m_rxQueue.pop_front();
        auto found = m_connections.find(next.key);
        if (found == m_connections.end() || found->second.serial != next.serial)
            continue;
        found->second.queued = false;
        std::optional<VsockRxPacket> packet = found->second.connection.fillRx(chain);
        refresh(next.key); // back of the queue if it has more: round robin between streams
        if (packet) {
            m_bytesToGuest.fetch_add(packet->payloadBytes, std::memory_order_relaxed);
            return packet;
        }
    }
    return std::nullopt;
}

void VsockMuxer::reset()
{
    // Possibly on a vCPU thread: sockets leave the loop (and close) in a task on its thread.
    // What the guest knew of is gone with its driver state; host clients it has not heard of
    // yet (still reading CONNECT, or REQUEST not sent) wait for the driver to come back, as a
    // driver probing at boot resets the device first.
    m_rxQueue.clear();
    m_orphanReplies.clear();
    for (auto entry = m_connections.begin(); entry != m_connections.end();) {
        if (!entry->second.connection.isAnnounced()) {
            entry->second.queued = true;
            m_rxQueue.push_back(QueuedConnection {entry->first, entry->second.serial});
            ++entry;
            continue;
        }
        UniqueFd fd = entry->second.connection.takeHost();
        if (fd.isValid())
            m_graveyard.push_back(std::move(fd));
        m_keyBySerial.erase(entry->second.serial);
        entry = m_connections.erase(entry);
    }
    publishOpen();
    if (m_graveyard.empty() || m_cleanupPosted)
        return;
    m_cleanupPosted = true;
    std::weak_ptr<bool> alive = m_alive;
    m_loop.post([this, alive] {
        if (!alive.lock())
            return;
        std::lock_guard lock(m_mutex);
        for (UniqueFd& fd : m_graveyard)
            m_loop.remove(fd.get());
        m_graveyard.clear();
        m_cleanupPosted = false;
    });
}

} // namespace vmm
