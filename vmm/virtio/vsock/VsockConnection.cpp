#include "VsockConnection.h"

#include <algorithm>
#include <cerrno>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

namespace vmm {

namespace {

using namespace vsock;

// A CREDIT_UPDATE goes out unprompted when the guest believes less than this fraction of our
// buffer is free and at least kCreditUpdateMinimum bytes were freed since it last heard.
constexpr uint32_t kCreditUpdateDivisor = 2;
constexpr uint32_t kCreditUpdateMinimum = 4096;

bool wouldBlock(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

} // namespace

VsockConnection::VsockConnection(
    UniqueFd host, uint32_t localPort, uint32_t peerPort, const VsockConnectionSettings& settings)
    : m_host(std::move(host))
    , m_localPort(localPort)
    , m_peerPort(peerPort)
    , m_settings(settings)
    , m_toHost(settings.bufferBytes)
{
}

VsockConnection VsockConnection::hostInitiated(
    UniqueFd host, uint32_t localPort, uint32_t peerPort, const VsockConnectionSettings& settings)
{
    VsockConnection connection(std::move(host), localPort, peerPort, settings);
    connection.m_state = State::Connecting;
    connection.m_pendingRequest = true;
    connection.m_deadline = Clock::now() + settings.connectTimeout;
    return connection;
}

VsockConnection VsockConnection::guestInitiated(
    UniqueFd host, const VsockHeader& request, const VsockConnectionSettings& settings)
{
    VsockConnection connection(std::move(host), request.dstPort, request.srcPort, settings);
    connection.m_pendingResponse = true;
    connection.m_peerBufAlloc = request.bufAlloc;
    connection.m_peerFwdCnt = request.fwdCnt;
    return connection;
}

uint32_t VsockConnection::peerCredit() const
{
    // §5.10.6.3: the guest has room for buf_alloc - (tx_cnt - fwd_cnt) more bytes. A guest that
    // reports more forwarded than sent, or shrinks buf_alloc, gets no credit rather than a wrap.
    uint32_t inFlight = m_rxCount - m_peerFwdCnt;
    return inFlight >= m_peerBufAlloc ? 0 : m_peerBufAlloc - inFlight;
}

bool VsockConnection::canSendData() const
{
    return m_state == State::Established && !m_closeHost && !m_hostEof &&
        !(m_peerShutdown & kShutdownReceive) && !(m_localShutdown & kShutdownSend) &&
        peerCredit() > 0;
}

bool VsockConnection::needsCreditUpdate() const
{
    uint32_t unacknowledged = m_receivedCount - m_lastFwdCountSent; // as the guest sees it
    uint32_t guestSeesFree =
        unacknowledged >= m_settings.bufferBytes ? 0 : m_settings.bufferBytes - unacknowledged;
    return guestSeesFree < m_settings.bufferBytes / kCreditUpdateDivisor &&
        m_fwdCount - m_lastFwdCountSent >= kCreditUpdateMinimum;
}

bool VsockConnection::hasPendingRx() const
{
    return m_pendingRst || m_pendingRequest || m_pendingResponse || m_pendingShutdown != 0 ||
        m_pendingCreditUpdate || m_pendingCreditRequest || (canSendData() && m_hostReadable);
}

std::optional<uint32_t> VsockConnection::wantedEvents() const
{
    if (m_closeHost || m_hostHungUp)
        return std::nullopt;
    uint32_t events = 0;
    if (m_state == State::Connecting)
        return events; // the client's bytes wait in its socket until OK; HUP is still seen
    if (canSendData() && !m_hostReadable)
        events |= EPOLLIN;
    if (!m_toHost.empty())
        events |= EPOLLOUT;
    return events;
}

VsockHeader VsockConnection::header(uint16_t op, uint32_t length, uint32_t flags)
{
    VsockHeader header;
    header.srcCid = kHostCid;
    header.dstCid = m_settings.guestCid;
    header.srcPort = m_localPort;
    header.dstPort = m_peerPort;
    header.len = length;
    header.type = kTypeStream;
    header.op = op;
    header.flags = flags;
    header.bufAlloc = m_settings.bufferBytes;
    header.fwdCnt = m_fwdCount;
    // Every packet carries our credit, so none is owed any more (§5.10.6.3).
    m_lastFwdCountSent = m_fwdCount;
    m_pendingCreditUpdate = false;
    return header;
}

VsockRxPacket VsockConnection::emit(const DescriptorChain& chain, uint16_t op, uint32_t flags)
{
    header(op, 0, flags).writeTo(chain);
    return VsockRxPacket {static_cast<uint32_t>(VsockHeader::kSize), 0};
}

std::optional<VsockRxPacket> VsockConnection::fillRx(const DescriptorChain& chain)
{
    if (m_pendingRst) {
        m_pendingRst = false;
        VsockRxPacket packet = emit(chain, kOpRst);
        finish();
        return packet;
    }
    if (m_pendingRequest) {
        m_pendingRequest = false;
        return emit(chain, kOpRequest);
    }
    if (m_pendingResponse) {
        m_pendingResponse = false;
        return emit(chain, kOpResponse);
    }
    if (m_pendingShutdown != 0) {
        uint32_t flags = m_pendingShutdown;
        m_pendingShutdown = 0;
        m_localShutdown |= flags;
        if (m_localShutdown == kShutdownBoth)
            enterClosing();
        return emit(chain, kOpShutdown, m_localShutdown);
    }
    if (canSendData() && m_hostReadable) {
        if (auto packet = readHost(chain))
            return packet;
    }
    if (m_pendingCreditUpdate)
        return emit(chain, kOpCreditUpdate);
    if (m_pendingCreditRequest) {
        m_pendingCreditRequest = false;
        return emit(chain, kOpCreditRequest);
    }
    return std::nullopt;
}

std::optional<VsockRxPacket> VsockConnection::readHost(const DescriptorChain& chain)
{
    uint64_t room = chain.writableLength() - VsockHeader::kSize;
    uint32_t limit = static_cast<uint32_t>(std::min<uint64_t>({room, peerCredit(), kMaxPayload}));
    if (limit == 0)
        return emit(chain, kOpCreditUpdate); // a buffer too small for data still carries credit
    std::vector<iovec> vectors = descriptorIovecs(chain.writable(), VsockHeader::kSize, limit);
    ssize_t count = ::readv(m_host.get(), vectors.data(), static_cast<int>(vectors.size()));
    if (count < 0 && wouldBlock(errno)) {
        m_hostReadable = false; // epoll watches for more
        return std::nullopt;
    }
    if (count < 0) {
        kill();
        m_pendingRst = false;
        VsockRxPacket packet = emit(chain, kOpRst);
        finish();
        return packet;
    }
    if (count == 0) {
        // The host closed its sending side: tell the guest; if it hung up entirely, it will
        // not read either (§5.10.6.5).
        m_hostEof = true;
        m_hostReadable = false;
        m_pendingShutdown |= kShutdownSend | (m_hostHungUp ? kShutdownReceive : 0);
        return fillRx(chain);
    }
    uint32_t length = static_cast<uint32_t>(count);
    header(kOpRw, length).writeTo(chain);
    m_rxCount += length;
    if (peerCredit() == 0)
        m_pendingCreditRequest = true; // ask once; the guest also updates on its own as it reads
    return VsockRxPacket {static_cast<uint32_t>(VsockHeader::kSize) + length, length};
}

uint32_t VsockConnection::handleGuestPacket(const VsockHeader& packet, const DescriptorChain& chain)
{
    m_peerBufAlloc = packet.bufAlloc;
    m_peerFwdCnt = packet.fwdCnt;
    if (m_state == State::Finished)
        return 0;
    switch (packet.op) {
    case kOpRst: // §5.10.6.4: the guest aborts; nothing is sent back
        m_pendingRst = false;
        finish();
        return 0;
    case kOpResponse:
        handleResponse();
        return 0;
    case kOpShutdown:
        handleShutdown(packet.flags);
        return 0;
    case kOpRw:
        if (m_state == State::Connecting || m_pendingRst) {
            kill();
            return 0;
        }
        // After its SHUTDOWN SEND or ours (host gone) the bytes have nowhere to go.
        if (m_state != State::Established || (m_peerShutdown & kShutdownSend) || m_hostHungUp ||
            m_hostWriteShut || m_closeHost || packet.len == 0)
            return 0;
        return writeHost(chain, packet.len);
    case kOpCreditRequest:
        if (m_state != State::Connecting && !m_pendingRst)
            m_pendingCreditUpdate = true;
        return 0;
    default: // CREDIT_UPDATE: the credit was taken above; REQUEST is the muxer's
        return 0;
    }
}

void VsockConnection::handleResponse()
{
    if (m_state != State::Connecting || m_pendingRequest) {
        kill(); // a RESPONSE to nothing we asked
        return;
    }
    m_state = State::Established;
    m_deadline.reset();
    // The client's socket has sent nothing before this line, so a short write means it is gone.
    std::string line = "OK " + std::to_string(m_localPort) + "\n";
    ssize_t sent = ::send(m_host.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent != static_cast<ssize_t>(line.size()))
        kill();
}

void VsockConnection::handleShutdown(uint32_t flags)
{
    if (m_state == State::Connecting) {
        kill();
        return;
    }
    m_peerShutdown |= flags & kShutdownBoth;
    if ((m_peerShutdown & kShutdownReceive) && m_hostHungUp && !m_hostEof)
        m_pendingShutdown |= kShutdownBoth & ~m_localShutdown; // nothing left to deliver
    if (m_peerShutdown == kShutdownBoth)
        enterClosing();
    afterHostWrite();
}

uint32_t VsockConnection::writeHost(const DescriptorChain& chain, uint32_t length)
{
    if (length > m_toHost.freeSpace()) {
        kill(); // more than the credit we gave (§5.10.6.3): this side would have to buffer it
        return 0;
    }
    uint32_t written = 0;
    if (m_toHost.empty()) {
        std::vector<iovec> vectors = descriptorIovecs(chain.readable(), VsockHeader::kSize, length);
        msghdr message {};
        message.msg_iov = vectors.data();
        message.msg_iovlen = vectors.size();
        ssize_t sent = ::sendmsg(m_host.get(), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && !wouldBlock(errno)) {
            kill();
            return 0;
        }
        written = sent > 0 ? static_cast<uint32_t>(sent) : 0;
    }
    if (written < length) {
        std::span<uint8_t> tail = m_toHost.reserve(length - written);
        m_toHost.commit(chain.copyFromReadable(VsockHeader::kSize + written, tail));
    }
    m_receivedCount += length;
    m_fwdCount += written;
    afterHostWrite();
    return length;
}

void VsockConnection::handleHostEvents(uint32_t events)
{
    if (m_closeHost || m_state == State::Finished)
        return;
    if (events & EPOLLERR) {
        kill();
        return;
    }
    if (m_state == State::Connecting) {
        if (events & EPOLLHUP)
            kill(); // the client gave up before the guest answered
        return;
    }
    if (events & EPOLLIN)
        m_hostReadable = true;
    if (events & EPOLLOUT)
        flushHost();
    if ((events & EPOLLHUP) && !m_closeHost) {
        // The client closed: what it wrote is still to be read, nothing more will be taken.
        m_hostHungUp = true;
        m_toHost.clear();
        if (m_hostEof || (m_peerShutdown & kShutdownReceive))
            m_pendingShutdown |= kShutdownBoth & ~m_localShutdown;
        else
            m_hostReadable = true;
        afterHostWrite();
    }
}

void VsockConnection::flushHost()
{
    while (!m_toHost.empty()) {
        std::span<const uint8_t> bytes = m_toHost.front();
        ssize_t sent =
            ::send(m_host.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && wouldBlock(errno))
            break;
        if (sent <= 0) {
            kill();
            return;
        }
        m_toHost.consume(static_cast<size_t>(sent));
        m_fwdCount += static_cast<uint32_t>(sent);
    }
    afterHostWrite();
}

void VsockConnection::afterHostWrite()
{
    if (m_closeHost || m_state == State::Finished)
        return;
    if (needsCreditUpdate())
        m_pendingCreditUpdate = true;
    if (!m_toHost.empty())
        return;
    if ((m_peerShutdown & kShutdownSend) && !m_hostWriteShut && !m_hostHungUp) {
        ::shutdown(m_host.get(), SHUT_WR); // the client reads EOF after the last byte
        m_hostWriteShut = true;
    }
    if (m_peerShutdown == kShutdownBoth) {
        // Everything the guest sent reached the host: the close completes with our RST.
        m_closeHost = true;
        m_pendingRst = true;
    }
}

void VsockConnection::enterClosing()
{
    if (m_state == State::Closing || m_state == State::Finished)
        return;
    m_state = State::Closing;
    m_deadline = Clock::now() + m_settings.shutdownTimeout;
}

void VsockConnection::kill()
{
    if (m_state == State::Finished)
        return;
    bool guestKnows = !m_pendingRequest; // a REQUEST never sent needs no RST
    m_pendingRequest = m_pendingResponse = m_pendingCreditUpdate = m_pendingCreditRequest = false;
    m_pendingShutdown = 0;
    m_hostReadable = false;
    m_toHost.clear();
    m_closeHost = true;
    m_deadline.reset();
    if (guestKnows) {
        m_pendingRst = true;
        m_state = State::Closing;
    } else {
        finish();
    }
}

void VsockConnection::finish()
{
    m_state = State::Finished;
    m_closeHost = true;
    m_deadline.reset();
    m_toHost.clear();
}

} // namespace vmm
