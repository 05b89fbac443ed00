#pragma once

#include "AppResult.h"

#include <cstdint>
#include <memory>

#include <QImage>
#include <QRect>
#include <QString>

struct _rfbClient;

namespace app {

/// One RFB connection through libvncclient, driven by a single worker thread (DisplayConnection's).
/// Owns the socket and a private framebuffer the library decodes into; every size and rectangle
/// the server sends is checked before a byte is written (the server may be hostile).
class RfbSession {
public:
    /// Takes `socket` (closed by the session, even on failure), runs the RFB handshake (which
    /// blocks: shut the socket down to interrupt it), allocates the frame and asks for a first
    /// full update.
    static Result<std::unique_ptr<RfbSession>> create(int socket);
    ~RfbSession();

    RfbSession(const RfbSession&) = delete;
    RfbSession& operator=(const RfbSession&) = delete;

    /// The framebuffer size the server announced.
    QSize size() const { return m_buffer.size(); }
    /// The desktop name, bounded and stripped of control characters.
    const QString& desktopName() const { return m_desktopName; }
    /// The socket, for polling (still owned by the session).
    int socket() const;
    /// Whether libvncclient holds bytes already read from the socket (poll would not see them).
    bool hasBufferedData() const;

    /// Reads and handles one server message (blocks until it is complete).
    Result<void> handleMessage();

    /// The private frame the library decodes into (Format_RGB32, alpha byte undefined).
    const QImage& buffer() const { return m_buffer; }
    /// The area changed since the last call, and whether the frame was reallocated.
    QRect takeChangedArea();
    /// True once after the framebuffer was (re)allocated.
    bool takeResized();

    /// Sends a key event (an X keysym).
    Result<void> sendKey(quint32 keysym, bool down);
    /// Sends a pointer event, clamped to the framebuffer; `buttons` is the RFB button mask.
    Result<void> sendPointer(QPoint position, quint32 buttons);

    /// The message shown for anything the server sent that Airlock refuses; `detail` may be empty.
    static QString unreadableMessage(const QString& detail = {});

private:
    RfbSession() = default;

    static RfbSession* self(_rfbClient* client);
    static std::int8_t mallocFrameBuffer(_rfbClient* client);
    static void gotFrameBufferUpdate(_rfbClient* client, int x, int y, int width, int height);
    static void gotBitmap(
        _rfbClient* client, const uint8_t* data, int x, int y, int width, int height);
    static void gotFillRect(
        _rfbClient* client, int x, int y, int width, int height, uint32_t colour);
    static void gotCopyRect(
        _rfbClient* client, int sourceX, int sourceY, int width, int height, int x, int y);
    static void gotCutText(_rfbClient* client, const char* text, int length);
    static char* refusePassword(_rfbClient* client);

    /// Whether the rectangle lies inside the frame; records a protocol error otherwise.
    bool checkRectangle(int x, int y, int width, int height);
    Result<void> initialise();

    _rfbClient* m_client = nullptr;
    QImage m_buffer;
    QRect m_changed;
    bool m_resized = false;
    QString m_protocolError; ///< set by a callback that refused the server's data
    QString m_desktopName;
};

} // namespace app
