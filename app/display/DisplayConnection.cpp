#include "DisplayConnection.h"

#include "DisplayLimits.h"
#include "RfbSession.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>

#include <sys/eventfd.h>
#include <sys/socket.h>

namespace app {

DisplayConnection::DisplayConnection(DisplayConnector connector, QObject* parent)
    : QObject(parent)
    , m_connector(std::move(connector))
{
    m_throttle.setSingleShot(true);
    connect(&m_throttle, &QTimer::timeout, this, &DisplayConnection::deliverFrameUpdate);
}

DisplayConnection::~DisplayConnection()
{
    stopWorker();
}

void DisplayConnection::start()
{
    if (m_state != State::Idle)
        return;
    m_state = State::Connecting;
    m_wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_wakeFd < 0) {
        finish(true,
            tr("Airlock could not start the display client (%1). Close other programs and reopen "
               "the display.")
                .arg(QString::fromLocal8Bit(std::strerror(errno))));
        return;
    }
    m_worker = std::thread([this] { run(); });
}

void DisplayConnection::stop()
{
    const bool wasUp = m_state == State::Connecting || m_state == State::Connected;
    stopWorker();
    if (wasUp) {
        m_state = State::Ended;
        emit disconnected();
    }
}

void DisplayConnection::stopWorker()
{
    {
        std::lock_guard lock(m_socketMutex);
        m_stopRequested = true;
        // Wakes a read blocked inside libvncclient (close() alone would not).
        if (m_socket >= 0)
            ::shutdown(m_socket, SHUT_RDWR);
    }
    wake();
    if (m_worker.joinable())
        m_worker.join();
    if (m_wakeFd >= 0) {
        ::close(m_wakeFd);
        m_wakeFd = -1;
    }
    m_throttle.stop();
}

QImage DisplayConnection::frame() const
{
    std::lock_guard lock(m_frameMutex);
    return m_frame;
}

QSize DisplayConnection::frameSize() const
{
    std::lock_guard lock(m_frameMutex);
    return m_frame.size();
}

void DisplayConnection::sendKey(quint32 keysym, bool down)
{
    queueInput(Input {.isKey = true, .keysym = keysym, .down = down, .position = {}, .buttons = 0});
}

void DisplayConnection::sendPointer(QPoint position, quint32 buttons)
{
    queueInput(Input {
        .isKey = false, .keysym = 0, .down = false, .position = position, .buttons = buttons});
}

void DisplayConnection::queueInput(const Input& input)
{
    {
        std::lock_guard lock(m_inputMutex);
        // Pointer motion with unchanged buttons replaces the previous motion: only the latest
        // position matters, and a server that stops reading cannot make the queue grow.
        if (!input.isKey && !m_input.empty() && !m_input.back().isKey &&
            m_input.back().buttons == input.buttons)
            m_input.back() = input;
        else if (m_input.size() < static_cast<size_t>(displaylimits::maximumQueuedInput))
            m_input.push_back(input);
    }
    wake();
}

void DisplayConnection::wake()
{
    if (m_wakeFd < 0)
        return;
    const uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(m_wakeFd, &one, sizeof one);
}

bool DisplayConnection::stopRequested() const
{
    std::lock_guard lock(m_socketMutex);
    return m_stopRequested;
}

void DisplayConnection::run()
{
    // A write to a server that went away must be an error (EPIPE), not a SIGPIPE that ends the
    // app: SIGPIPE is delivered to the writing thread, so blocking it here is enough.
    sigset_t pipeSignal;
    sigemptyset(&pipeSignal);
    sigaddset(&pipeSignal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipeSignal, nullptr);

    Result<int> socket = m_connector();
    if (!socket) {
        finish(true, socket.error().message);
        return;
    }
    {
        std::lock_guard lock(m_socketMutex);
        if (m_stopRequested) {
            ::close(*socket);
            return;
        }
        m_socket = *socket;
        // Blocking reads: libvncclient's own wait uses select(), which breaks above FD_SETSIZE.
        const int flags = ::fcntl(m_socket, F_GETFL);
        if (flags >= 0)
            ::fcntl(m_socket, F_SETFL, flags & ~O_NONBLOCK);
    }
    Result<std::unique_ptr<RfbSession>> session = RfbSession::create(*socket);
    Result<bool> served = session ? serve(**session) : tl::unexpected(session.error());
    {
        // The session closes the socket: forget it first so stop() cannot shut down a reused fd.
        std::lock_guard lock(m_socketMutex);
        m_socket = -1;
    }
    if (session)
        session->reset();
    if (stopRequested())
        return;
    if (served)
        finish(false, {});
    else
        finish(true, served.error().message);
}

Result<bool> DisplayConnection::serve(RfbSession& session)
{
    publish(session, false); // the first (black) frame is in place before connected()
    QMetaObject::invokeMethod(
        this,
        [this, size = session.size(), name = session.desktopName()] {
            if (m_state != State::Connecting)
                return;
            m_state = State::Connected;
            emit connected(size, name);
        },
        Qt::QueuedConnection);

    pollfd descriptors[2] = {{session.socket(), POLLIN, 0}, {m_wakeFd, POLLIN, 0}};
    while (true) {
        const bool buffered = session.hasBufferedData();
        const int ready = ::poll(descriptors, 2, buffered ? 0 : -1);
        if (ready < 0 && errno != EINTR)
            return failure(RfbSession::unreadableMessage());
        if (stopRequested())
            return true;
        if (ready > 0 && (descriptors[1].revents & POLLIN) != 0) {
            uint64_t count = 0;
            [[maybe_unused]] const auto drained = ::read(m_wakeFd, &count, sizeof count);
            APP_TRY(sendQueuedInput(session));
        }
        if (!buffered && (ready <= 0 || descriptors[0].revents == 0))
            continue;
        if (!buffered) {
            // End of stream at a message boundary is a clean close, not a protocol error.
            char byte = 0;
            if (::recv(session.socket(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
                return false;
        }
        APP_TRY(session.handleMessage());
        publish(session, true);
    }
}

Result<void> DisplayConnection::sendQueuedInput(RfbSession& session)
{
    std::vector<Input> input;
    {
        std::lock_guard lock(m_inputMutex);
        input.swap(m_input);
    }
    for (const Input& event : input) {
        if (event.isKey)
            APP_TRY(session.sendKey(event.keysym, event.down));
        else
            APP_TRY(session.sendPointer(event.position, event.buttons));
    }
    return {};
}

void DisplayConnection::publish(RfbSession& session, bool notify)
{
    const bool resized = session.takeResized();
    const QRect changed = session.takeChangedArea() & QRect(QPoint(0, 0), session.size());
    if (!resized && changed.isEmpty())
        return;
    const QImage& source = session.buffer();
    bool post = false;
    {
        std::lock_guard lock(m_frameMutex);
        if (resized || m_frame.size() != source.size())
            m_frame = QImage(source.size(), QImage::Format_RGB32);
        const QRect area = resized ? source.rect() : changed;
        for (int row = area.top(); row <= area.bottom(); ++row) {
            const auto* from = reinterpret_cast<const uint32_t*>(source.constScanLine(row));
            auto* to = reinterpret_cast<uint32_t*>(m_frame.scanLine(row));
            // The server leaves the top byte undefined; Format_RGB32 wants it opaque.
            for (int column = area.left(); column <= area.right(); ++column)
                to[column] = from[column] | 0xff000000u;
        }
        if (notify)
            m_pendingRegion |= area;
        post = notify && !std::exchange(m_notifyPosted, true);
    }
    if (post)
        QMetaObject::invokeMethod(
            this, &DisplayConnection::deliverFrameUpdate, Qt::QueuedConnection);
}

void DisplayConnection::deliverFrameUpdate()
{
    if (m_state != State::Connected && m_state != State::Connecting)
        return;
    if (m_sinceLastUpdate.isValid()) {
        const qint64 wait = displaylimits::minimumUpdateIntervalMs - m_sinceLastUpdate.elapsed();
        if (wait > 0) {
            if (!m_throttle.isActive())
                m_throttle.start(static_cast<int>(wait));
            return;
        }
    }
    QRect region;
    {
        std::lock_guard lock(m_frameMutex);
        region = std::exchange(m_pendingRegion, QRect());
        m_notifyPosted = false;
    }
    if (region.isEmpty())
        return;
    m_sinceLastUpdate.start();
    emit frameUpdated(region);
}

void DisplayConnection::finish(bool failedToServe, const QString& message)
{
    QMetaObject::invokeMethod(
        this,
        [this, failedToServe, message] {
            if (m_state == State::Ended || m_state == State::Idle)
                return;
            m_state = State::Ended;
            if (failedToServe)
                emit failed(message);
            else
                emit disconnected();
        },
        Qt::QueuedConnection);
}

} // namespace app
