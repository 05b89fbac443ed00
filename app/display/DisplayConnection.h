#pragma once

#include "AppResult.h"

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <QElapsedTimer>
#include <QImage>
#include <QObject>
#include <QRect>
#include <QTimer>

namespace app {

class RfbSession;

/// Runs on the connection's worker thread; returns a connected stream socket the connection owns.
using DisplayConnector = std::function<Result<int>()>;

/// The client of a session's screen: an RFB connection (libvncclient) on a worker thread of its
/// own, a thread-safe copy of the frame, and queued keyboard and pointer input. The server is
/// treated as hostile: whatever it sends that Airlock cannot show ends in failed(), never a crash.
class DisplayConnection : public QObject {
    Q_OBJECT

public:
    /// A connection that will obtain its socket from `connector` once started.
    explicit DisplayConnection(DisplayConnector connector, QObject* parent = nullptr);
    /// Stops the worker (see stop()).
    ~DisplayConnection() override;

    /// Starts the worker thread: connect, handshake, then handle updates. Once only.
    void start();
    /// Closes the socket and joins the worker; emits disconnected() if the connection was still
    /// up. Idempotent.
    void stop();

    /// A copy of the current frame (Format_RGB32); null before connected(). Thread-safe.
    QImage frame() const;
    /// The current frame's size. Thread-safe.
    QSize frameSize() const;

    /// Queues a key event (an X keysym) for the server. Any thread.
    void sendKey(quint32 keysym, bool down);
    /// Queues a pointer event in framebuffer pixels with an RFB button mask. Any thread.
    void sendPointer(QPoint position, quint32 buttons);

signals:
    /// The handshake is done: the frame has `size` pixels and is black until updates arrive.
    void connected(QSize size, QString desktopName);
    /// `region` of frame() changed (coalesced, at most about 60 signals per second).
    void frameUpdated(QRect region);
    /// The connection ended in an error; `message` is for the user.
    void failed(QString message);
    /// The server closed the connection cleanly, or stop() ended it.
    void disconnected();

private:
    enum class State { Idle, Connecting, Connected, Ended };
    struct Input {
        bool isKey = false;
        quint32 keysym = 0;
        bool down = false;
        QPoint position;
        quint32 buttons = 0;
    };

    void stopWorker();
    void run();
    Result<bool> serve(RfbSession& session);
    Result<void> sendQueuedInput(RfbSession& session);
    void publish(RfbSession& session, bool notify);
    void queueInput(const Input& input);
    void wake();
    bool stopRequested() const;
    void finish(bool failedToServe, const QString& message);
    void deliverFrameUpdate();

    DisplayConnector m_connector;
    State m_state = State::Idle; ///< GUI thread only
    std::thread m_worker;
    int m_wakeFd = -1;

    mutable std::mutex m_socketMutex; ///< guards m_socket and m_stopRequested
    int m_socket = -1; ///< shut down by stop() to interrupt a blocked read
    bool m_stopRequested = false;

    std::mutex m_inputMutex;
    std::vector<Input> m_input;

    mutable std::mutex m_frameMutex; ///< guards m_frame, m_pendingRegion and m_notifyPosted
    QImage m_frame;
    QRect m_pendingRegion;
    bool m_notifyPosted = false;

    QTimer m_throttle; ///< GUI thread: delays a frameUpdated that would come too soon
    QElapsedTimer m_sinceLastUpdate;
};

} // namespace app
